// PLACEHOLDER: the OpenAPI 3.1 document is being written by a helper.
/** The OpenAPI 3.1 document of the REST API. */
export const OPENAPI_DOCUMENT: Readonly<Record<string, unknown>> = { openapi: "3.1.0" };
