/// The API's OpenAPI 3.1 description, served at `/api/v1/openapi.json`.
/// Kept here so the binary serves it wherever it is installed; a test
/// holds `docs/openapi.json` (the copy to read) to it, and schemathesis
/// holds the server to it (`make test`).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "triage serve",
    "version": "1",
    "description": "The referral unit's HTTP service: intake of referrals from trusted flaggers and platforms, and the review queue for officers. Every error has one shape (Error). Authenticate with an API token (`Authorization: Bearer trg_\u2026`, from `triage tokens create`) or a session cookie from POST /api/v1/session; a request made with the cookie that changes something must carry the session's CSRF token in `X-CSRF-Token`. A request that carries credentials the server does not accept is refused (401) on every route, public ones included."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "security": [
    {
      "token": []
    },
    {
      "session": []
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "operationId": "health",
        "security": [],
        "summary": "The process answers.",
        "responses": {
          "200": {
            "description": "Up",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "status"
                  ],
                  "properties": {
                    "status": {
                      "const": "ok"
                    }
                  }
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "security": [],
        "summary": "The queue answers, rules are loaded, the intake backlog is below its threshold.",
        "responses": {
          "200": {
            "description": "Ready",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Ready"
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "security": [],
        "summary": "Prometheus text format.",
        "responses": {
          "200": {
            "description": "Metrics",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/referrals": {
      "post": {
        "operationId": "submitReferral",
        "summary": "Submit one referral. 202 once it is durable in the intake log.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReferralInput"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Accepted: pending assessment",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IntakeStatus"
                }
              }
            },
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "200": {
            "description": "Accepted before with the same content",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IntakeStatus"
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/referrals:batch": {
      "post": {
        "operationId": "submitReferrals",
        "summary": "Submit referrals as NDJSON (one object per line, streamed); each line is answered in order, then a summary line.",
        "requestBody": {
          "required": true,
          "content": {
            "application/x-ndjson": {
              "schema": {
                "type": "string"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "One JSON line per input line: {line, id, status: accepted|already-accepted|rejected|conflict, reason?, status_url?}; last {summary}",
            "content": {
              "application/x-ndjson": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/referrals/{id}": {
      "get": {
        "operationId": "referralStatus",
        "summary": "A referral's status; once assessed, its assessment and case. An intake token sees only the referrals it submitted.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Status",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IntakeStatus"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases": {
      "get": {
        "operationId": "listCases",
        "summary": "Cases in queue order (band, score, age), filtered, a page at a time.",
        "parameters": [
          {
            "name": "state",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated: new, in-review, decided (default new,in-review)."
          },
          {
            "name": "band",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "P1",
                "P2",
                "P3",
                "P4",
                "NFA",
                "PENDING"
              ]
            }
          },
          {
            "name": "category",
            "in": "query",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "mine",
            "in": "query",
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "overdue",
            "in": "query",
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "name": "cursor",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "next_cursor of the previous page."
          }
        ],
        "responses": {
          "200": {
            "description": "A page of cases",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CaseList"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases/{id}": {
      "get": {
        "operationId": "showCase",
        "summary": "A case in full: referrals with assessments, captures, notes, history.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "A case id, or a referral id (its case)."
          }
        ],
        "responses": {
          "200": {
            "description": "The case",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CaseDetail"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/claims": {
      "post": {
        "operationId": "claimNext",
        "summary": "Claim the next case (optionally within a band) for the caller.",
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "band": {
                    "type": "string",
                    "enum": [
                      "P1",
                      "P2",
                      "P3",
                      "P4",
                      "NFA",
                      "PENDING"
                    ]
                  },
                  "lease_seconds": {
                    "type": "integer",
                    "minimum": 60,
                    "maximum": 86400
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The case claimed",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Case"
                }
              }
            }
          },
          "204": {
            "description": "Nothing is waiting"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases/{id}/release": {
      "post": {
        "operationId": "releaseCase",
        "summary": "Release a case the caller holds.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "A case id, or a referral id (its case)."
          }
        ],
        "responses": {
          "200": {
            "description": "The case",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Case"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases/{id}/decision": {
      "post": {
        "operationId": "decideCase",
        "summary": "Decide a case the caller holds, with a reason.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "A case id, or a referral id (its case)."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "decision",
                  "reason"
                ],
                "properties": {
                  "decision": {
                    "type": "string",
                    "enum": [
                      "refer-to-platform",
                      "escalate-to-investigation",
                      "no-further-action",
                      "duplicate-of"
                    ]
                  },
                  "reason": {
                    "type": "string",
                    "minLength": 1
                  },
                  "duplicate_of": {
                    "type": "string"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The case",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Case"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases/{id}/reopen": {
      "post": {
        "operationId": "reopenCase",
        "summary": "Reopen a decided case (the officer who decided it, or a supervisor).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "A case id, or a referral id (its case)."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "reason"
                ],
                "properties": {
                  "reason": {
                    "type": "string",
                    "minLength": 1
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The case",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Case"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/cases/{id}/notes": {
      "post": {
        "operationId": "noteCase",
        "summary": "Add a note to a case the caller holds (supervisors: any).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "A case id, or a referral id (its case)."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "text"
                ],
                "properties": {
                  "text": {
                    "type": "string",
                    "minLength": 1
                  }
                }
              }
            }
          }
        },
        "responses": {
          "204": {
            "description": "Noted"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/stats": {
      "get": {
        "operationId": "stats",
        "summary": "Queue statistics (supervisors).",
        "responses": {
          "200": {
            "description": "Statistics",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/verify": {
      "get": {
        "operationId": "verify",
        "summary": "Recompute the audit chain and evidence hashes (supervisors).",
        "responses": {
          "200": {
            "description": "The check",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Verify"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/rules/reload": {
      "post": {
        "operationId": "reloadRules",
        "summary": "Read the rule set again (admins). A set that does not load leaves the running one (422).",
        "responses": {
          "200": {
            "description": "Swapped",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "from",
                    "to"
                  ],
                  "properties": {
                    "from": {
                      "type": "string"
                    },
                    "to": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/session": {
      "post": {
        "operationId": "signIn",
        "security": [],
        "summary": "Sign in: sets the session cookie and returns the CSRF token.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "name",
                  "password"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "password": {
                    "type": "string"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Signed in",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Session"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      },
      "get": {
        "operationId": "currentSession",
        "security": [
          {
            "session": []
          }
        ],
        "summary": "Who is signed in, with the CSRF token.",
        "responses": {
          "200": {
            "description": "The session",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Session"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      },
      "delete": {
        "operationId": "signOut",
        "security": [
          {
            "session": []
          }
        ],
        "summary": "Sign out.",
        "responses": {
          "204": {
            "description": "Signed out"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/export": {
      "get": {
        "operationId": "exportCases",
        "summary": "Cases changed since a time, with their decisions and reasons, as CSV or NDJSON; or aggregate counts (supervisors). Streamed.",
        "parameters": [
          {
            "name": "format",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "csv",
                "ndjson"
              ],
              "default": "csv"
            }
          },
          {
            "name": "since",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "A date (YYYY-MM-DD) or an ISO 8601 time."
          },
          {
            "name": "aggregate",
            "in": "query",
            "schema": {
              "type": "boolean"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The export",
            "content": {
              "text/csv": {
                "schema": {
                  "type": "string"
                }
              },
              "application/x-ndjson": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/service-levels": {
      "get": {
        "operationId": "serviceLevels",
        "summary": "How long a case of each band may wait before it is overdue.",
        "responses": {
          "200": {
            "description": "Service levels",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "integer"
                  },
                  "description": "Seconds per band."
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/service-levels/{band}": {
      "put": {
        "operationId": "setServiceLevel",
        "summary": "Set a band's service level (supervisors); recorded in the audit log.",
        "parameters": [
          {
            "name": "band",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "enum": [
                "P1",
                "P2",
                "P3",
                "P4",
                "NFA",
                "PENDING"
              ]
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "seconds"
                ],
                "properties": {
                  "seconds": {
                    "type": "integer",
                    "minimum": 60,
                    "maximum": 31536000
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Service levels",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "integer"
                  },
                  "description": "Seconds per band."
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/purge": {
      "post": {
        "operationId": "purge",
        "summary": "Remove the evidence of cases closed with no further action more than N days ago (admins); recorded in the audit log.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "older_than_days"
                ],
                "properties": {
                  "older_than_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 36500
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "What was purged",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "cases",
                    "captures",
                    "bytes"
                  ],
                  "properties": {
                    "cases": {
                      "type": "integer"
                    },
                    "captures": {
                      "type": "integer"
                    },
                    "bytes": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/report": {
      "get": {
        "operationId": "reportForm",
        "security": [],
        "summary": "The public report form (HTML).",
        "responses": {
          "200": {
            "description": "The form",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "operationId": "openapi",
        "security": [],
        "summary": "This document.",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/users": {
      "get": {
        "operationId": "listUsers",
        "summary": "Users (admins); never their password hashes.",
        "responses": {
          "200": {
            "description": "Users",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "users"
                  ],
                  "properties": {
                    "users": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": [
                          "name",
                          "role",
                          "disabled",
                          "locked",
                          "created_at"
                        ],
                        "properties": {
                          "name": {
                            "type": "string"
                          },
                          "role": {
                            "type": "string",
                            "enum": [
                              "officer",
                              "supervisor",
                              "admin"
                            ]
                          },
                          "disabled": {
                            "type": "boolean"
                          },
                          "locked": {
                            "type": "boolean"
                          },
                          "created_at": {
                            "type": "string"
                          },
                          "last_login_at": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      },
      "post": {
        "operationId": "addUser",
        "summary": "Add a user (admins); the password is at least 12 characters.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "name",
                  "role",
                  "password"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "officer",
                      "supervisor",
                      "admin"
                    ]
                  },
                  "password": {
                    "type": "string",
                    "minLength": 12
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Added",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "name",
                    "role"
                  ],
                  "properties": {
                    "name": {
                      "type": "string"
                    },
                    "role": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/users/{name}/disable": {
      "post": {
        "operationId": "disableUser",
        "summary": "Disable a user and end their sessions (admins).",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Disabled"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/users/{name}/enable": {
      "post": {
        "operationId": "enableUser",
        "summary": "Enable a user (admins).",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Enabled"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/tokens": {
      "get": {
        "operationId": "listTokens",
        "summary": "API tokens (admins); never their secrets.",
        "responses": {
          "200": {
            "description": "Tokens",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "tokens"
                  ],
                  "properties": {
                    "tokens": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": [
                          "name",
                          "scope",
                          "created_at",
                          "created_by"
                        ],
                        "properties": {
                          "name": {
                            "type": "string"
                          },
                          "scope": {
                            "type": "string",
                            "enum": [
                              "intake",
                              "read",
                              "review",
                              "admin"
                            ]
                          },
                          "created_at": {
                            "type": "string"
                          },
                          "created_by": {
                            "type": "string"
                          },
                          "last_used_at": {
                            "type": "string"
                          },
                          "revoked_at": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      },
      "post": {
        "operationId": "createToken",
        "summary": "Create a token (admins): its secret is in this answer only.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "name",
                  "scope"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "scope": {
                    "type": "string",
                    "enum": [
                      "intake",
                      "read",
                      "review",
                      "admin"
                    ]
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Created",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "name",
                    "scope",
                    "token"
                  ],
                  "properties": {
                    "name": {
                      "type": "string"
                    },
                    "scope": {
                      "type": "string"
                    },
                    "token": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    },
    "/api/v1/admin/tokens/{name}": {
      "delete": {
        "operationId": "revokeToken",
        "summary": "Revoke a token (admins): refused from the next request.",
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Revoked"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "default": {
            "$ref": "#/components/responses/Error"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "token": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `triage tokens create`."
      },
      "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "triage_session"
      }
    },
    "responses": {
      "Error": {
        "description": "An error",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message",
              "request_id"
            ],
            "properties": {
              "code": {
                "type": "string"
              },
              "message": {
                "type": "string"
              },
              "request_id": {
                "type": "string"
              }
            }
          }
        }
      },
      "Ready": {
        "type": "object",
        "required": [
          "status",
          "backlog",
          "rules"
        ],
        "properties": {
          "status": {
            "const": "ready"
          },
          "backlog": {
            "type": "integer"
          },
          "rules": {
            "type": "string"
          }
        }
      },
      "ReferralInput": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "id"
        ],
        "description": "The fields of a line of `triage batch` input, without `path`. Content inline (`html` or `text`) or a `url` to fetch (with `triage serve --fetch`).",
        "properties": {
          "id": {
            "type": "string",
            "minLength": 1
          },
          "url": {
            "type": "string"
          },
          "html": {
            "type": "string"
          },
          "text": {
            "type": "string"
          },
          "content_type": {
            "type": "string"
          },
          "source": {
            "type": "string",
            "enum": [
              "public",
              "trusted-flagger",
              "platform",
              "internal"
            ]
          },
          "reported_at": {
            "type": "string"
          },
          "reporter_note": {
            "type": "string"
          },
          "platform": {
            "type": "string"
          }
        }
      },
      "IntakeStatus": {
        "type": "object",
        "required": [
          "id",
          "status",
          "received_at",
          "status_url"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "pending",
              "assessed"
            ]
          },
          "received_at": {
            "type": "string"
          },
          "status_url": {
            "type": "string"
          },
          "case_id": {
            "type": "string"
          },
          "already_accepted": {
            "type": "boolean"
          },
          "assessment": {
            "type": "object",
            "description": "As `triage check --format json` writes it."
          },
          "case": {
            "$ref": "#/components/schemas/Case"
          }
        }
      },
      "Case": {
        "type": "object",
        "required": [
          "id",
          "state",
          "band",
          "score",
          "referrals",
          "opened_at",
          "updated_at",
          "overdue"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "state": {
            "type": "string",
            "enum": [
              "new",
              "in-review",
              "decided"
            ]
          },
          "band": {
            "type": "string",
            "enum": [
              "P1",
              "P2",
              "P3",
              "P4",
              "NFA",
              "PENDING"
            ]
          },
          "score": {
            "type": "integer"
          },
          "primary_category": {
            "type": "string"
          },
          "referrals": {
            "type": "integer"
          },
          "opened_at": {
            "type": "string"
          },
          "updated_at": {
            "type": "string"
          },
          "officer": {
            "type": "string"
          },
          "lease_until": {
            "type": "string"
          },
          "decision": {
            "type": "string"
          },
          "duplicate_of": {
            "type": "string"
          },
          "decided_at": {
            "type": "string"
          },
          "decided_by": {
            "type": "string"
          },
          "url": {
            "type": "string"
          },
          "overdue": {
            "type": "boolean"
          }
        }
      },
      "CaseList": {
        "type": "object",
        "required": [
          "cases"
        ],
        "properties": {
          "cases": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Case"
            }
          },
          "next_cursor": {
            "type": "string"
          }
        }
      },
      "CaseDetail": {
        "type": "object",
        "required": [
          "case",
          "referrals",
          "captures",
          "notes",
          "history"
        ],
        "properties": {
          "case": {
            "$ref": "#/components/schemas/Case"
          },
          "referrals": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "id",
                "received_at",
                "assessment"
              ]
            }
          },
          "captures": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "id",
                "referral_id",
                "sha256",
                "size"
              ]
            }
          },
          "notes": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "officer",
                "at",
                "text"
              ]
            }
          },
          "history": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "seq",
                "at",
                "actor",
                "action"
              ]
            }
          }
        }
      },
      "Verify": {
        "type": "object",
        "required": [
          "intact",
          "audit_entries",
          "head"
        ],
        "properties": {
          "intact": {
            "type": "boolean"
          },
          "audit_entries": {
            "type": "integer"
          },
          "head": {
            "type": "string"
          }
        }
      },
      "Session": {
        "type": "object",
        "required": [
          "user",
          "role",
          "csrf_token"
        ],
        "properties": {
          "user": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "officer",
              "supervisor",
              "admin"
            ]
          },
          "csrf_token": {
            "type": "string"
          }
        }
      }
    }
  }
}

"""#
}
