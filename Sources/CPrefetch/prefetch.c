// Everything is in include/prefetch.h (inline); a C target needs a source.
#include "prefetch.h"
