//! Checks a request the proxy sent to a fake against the vendor's OpenAPI file: the
//! operation exists, its required query and header parameters are there, no query
//! parameter is undeclared, and the JSON body validates against the named schema.

use provider_fakes::Recorded;
use serde_json::{json, Value};

pub struct Spec {
    doc: Value,
}

impl Spec {
    /// A file in `tests/data/specs/` (JSON or YAML).
    pub fn load(name: &str) -> Self {
        let path = format!("{}/tests/data/specs/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("spec file");
        let doc: Value = if name.ends_with(".json") {
            serde_json::from_str(&text).expect("spec JSON")
        } else {
            serde_yaml::from_str(&text).expect("spec YAML")
        };
        Self { doc }
    }

    fn operation(&self, method: &str, path: &str) -> Result<&Value, String> {
        let paths = self.doc["paths"].as_object().ok_or("spec has no paths")?;
        for (template, item) in paths {
            if matches(template, path) {
                if let Some(op) = item.get(method.to_ascii_lowercase()) {
                    return Ok(op);
                }
            }
        }
        Err(format!("{method} {path} is not an operation of the spec"))
    }

    /// Every problem with `request`; `body_schema` names a component schema to check the
    /// body against (the spec's own `requestBody` is a `oneOf` for some operations).
    pub fn check(&self, request: &Recorded, body_schema: Option<&str>) -> Vec<String> {
        let op = match self.operation(request.method.as_str(), &request.path) {
            Ok(op) => op,
            Err(e) => return vec![e],
        };
        let mut problems = Vec::new();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let declared = |place: &str| -> Vec<(String, bool)> {
            params
                .iter()
                .filter(|p| p["in"] == place)
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or_default().to_owned();
                    (name, p["required"] == true)
                })
                .collect()
        };
        for (name, required) in declared("query") {
            if required && request.param(&name).is_none() {
                problems.push(format!("missing required query parameter {name}"));
            }
        }
        let query_names: Vec<String> = declared("query").into_iter().map(|(n, _)| n).collect();
        for (name, _) in &request.query {
            if !query_names.contains(name) {
                problems.push(format!("query parameter {name} is not in the spec"));
            }
        }
        for (name, required) in declared("header") {
            let is_auth = name.eq_ignore_ascii_case("authorization");
            if required && !is_auth && request.header(&name).is_none() {
                problems.push(format!("missing required header {name}"));
            }
        }
        if let Some(schema) = body_schema {
            match &request.body {
                None => problems.push("no JSON body".into()),
                Some(body) => problems.extend(self.validate(schema, body)),
            }
        }
        problems
    }

    /// Problems of `value` against `#/components/schemas/{schema}`.
    pub fn validate(&self, schema: &str, value: &Value) -> Vec<String> {
        // The whole document as the root, so internal `$ref`s resolve; the root `$ref`
        // selects the schema (draft 4 ignores the sibling keys).
        let mut root = self.doc.clone();
        root["$ref"] = json!(format!("#/components/schemas/{schema}"));
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
        {
            Ok(v) => v,
            Err(e) => return vec![format!("schema {schema}: {e}")],
        };
        validator
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}

/// `/v2/bookings/{bookingUid}/cancel` matches `/v2/bookings/bk_1/cancel`.
fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}
