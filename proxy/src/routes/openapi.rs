//! The OpenAPI document, written once at start-up.

use serde_json::{Map, Value};
use utoipa::openapi::OpenApi;

/// The document as JSON. utoipa 5 writes a link's fields in snake_case; OpenAPI names
/// them `operationRef`, `operationId` and `requestBody`.
pub fn document(openapi: &OpenApi) -> Value {
    let mut json = serde_json::to_value(openapi).unwrap_or_default();
    let operations = json
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|methods| methods.values_mut());
    for operation in operations {
        let responses = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|r| r.values_mut());
        for response in responses {
            let links = response
                .get_mut("links")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flat_map(|l| l.values_mut())
                .filter_map(Value::as_object_mut);
            for link in links {
                rename(link, "operation_ref", "operationRef");
                rename(link, "operation_id", "operationId");
                rename(link, "request_body", "requestBody");
            }
        }
    }
    json
}

fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.insert(to.to_owned(), value);
    }
}
