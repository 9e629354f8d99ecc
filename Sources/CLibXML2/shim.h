// libxml2's HTML parser, for PageText (the only target that imports it).
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
