//! `/api/docs/`: the API's reference for people, rendered on the server from the same
//! OpenAPI document `/api/schema/` serves. Plain HTML styled by our own stylesheet: no
//! script, no inline style, nothing from another host, so it passes `default-src 'self'`.
//! Every text taken from the document is escaped.

use std::fmt::Write;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use serde_json::Value;

use super::error::ApiError;
use super::openapi::document;
use crate::frontend::error::html_escape;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `GET /api/docs/`
#[tracing::instrument(skip_all)]
pub async fn docs_get() -> HttpResponse {
    match serde_json::to_value(document()) {
        Ok(doc) => HttpResponse::Ok()
            .content_type(ContentType::html())
            .body(render(&doc)),
        Err(e) => ApiError::Internal(e.to_string()).error_response(),
    }
}

/// The whole page for the OpenAPI document `doc`.
pub fn render(doc: &Value) -> String {
    let text = |v: &Value| html_escape(v.as_str().unwrap_or_default());
    let info = &doc["info"];
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — reference</title>\
         <link rel=\"icon\" href=\"/static/images/favicon.svg\">\
         <link rel=\"stylesheet\" href=\"/static/css/app.css\"></head>\
         <body class=\"min-h-screen bg-stone-50 text-stone-900 antialiased dark:bg-stone-950 dark:text-stone-100\">\
         <main class=\"mx-auto max-w-2xl p-6 text-sm space-y-4\">\
         <h1 class=\"text-2xl font-bold\">{title} <span class=\"text-stone-500\">{version}</span></h1>\
         <p>{description}</p>\
         <p><a class=\"text-orange-600 underline\" href=\"/api/schema/\">OpenAPI document (JSON)</a></p>",
        title = text(&info["title"]),
        version = text(&info["version"]),
        description = text(&info["description"]),
    );
    if let Some(schemes) = doc["components"]["securitySchemes"].as_object() {
        out.push_str("<h2 class=\"text-xl font-semibold mt-8\">Authentication</h2><ul>");
        for (name, scheme) in schemes {
            let _ = write!(
                out,
                "<li><code>{}</code>: {} {} ({}). {}</li>",
                html_escape(name),
                text(&scheme["type"]),
                text(&scheme["scheme"]),
                text(&scheme["bearerFormat"]),
                text(&scheme["description"]),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2 class=\"text-xl font-semibold mt-8\">Endpoints</h2>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    operation_html(&mut out, path, method, operation);
                }
            }
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        out.push_str("<h2 class=\"text-xl font-semibold mt-8\">Schemas</h2>");
        for (name, schema) in schemas {
            schema_html(&mut out, name, schema);
        }
    }
    out.push_str("</main></body></html>");
    out
}

fn operation_html(out: &mut String, path: &str, method: &str, operation: &Value) {
    let text = |v: &Value| html_escape(v.as_str().unwrap_or_default());
    let _ = write!(
        out,
        "<section class=\"mt-4 rounded-lg border border-stone-200 bg-white p-3 dark:bg-stone-900\">\
         <h3 class=\"text-lg font-semibold\"><span class=\"text-orange-600\">{}</span> <code>{}</code></h3>",
        method.to_uppercase(),
        html_escape(path),
    );
    for key in ["summary", "description"] {
        if let Some(line) = operation[key].as_str() {
            let _ = write!(out, "<p class=\"mt-2\">{}</p>", html_escape(line));
        }
    }
    if operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty())
    {
        out.push_str("<p class=\"mt-2 text-stone-500\">Requires <code>bearerAuth</code>.</p>");
    }
    if let Some(parameters) = operation["parameters"].as_array() {
        out.push_str("<h4 class=\"mt-2 font-medium\">Parameters</h4><ul>");
        for p in parameters {
            let _ = write!(
                out,
                "<li><code>{}</code> ({}{}, {}): {}</li>",
                text(&p["name"]),
                text(&p["in"]),
                if p["required"].as_bool() == Some(true) {
                    ", required"
                } else {
                    ""
                },
                html_escape(&schema_label(&p["schema"])),
                text(&p["description"]),
            );
        }
        out.push_str("</ul>");
    }
    let body = &operation["requestBody"];
    if let Some(content) = body["content"].as_object() {
        out.push_str("<h4 class=\"mt-2 font-medium\">Request body</h4>");
        if let Some(description) = body["description"].as_str() {
            let _ = write!(out, "<p>{}</p>", html_escape(description));
        }
        out.push_str("<ul>");
        for (media, entry) in content {
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                html_escape(media),
                html_escape(&schema_label(&entry["schema"])),
            );
        }
        out.push_str("</ul>");
    }
    if let Some(responses) = operation["responses"].as_object() {
        out.push_str("<h4 class=\"mt-2 font-medium\">Responses</h4><ul>");
        for (status, response) in responses {
            let schemas: Vec<String> = response["content"]
                .as_object()
                .map(|content| {
                    content
                        .iter()
                        .map(|(media, entry)| {
                            format!("{media}: {}", schema_label(&entry["schema"]))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li><code>{}</code> {}{}</li>",
                html_escape(status),
                text(&response["description"]),
                if schemas.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", html_escape(&schemas.join(", ")))
                },
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn schema_html(out: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        out,
        "<section class=\"mt-4\"><h3 class=\"font-semibold\"><code>{}</code></h3>",
        html_escape(name),
    );
    if let Some(description) = schema["description"].as_str() {
        let _ = write!(out, "<p>{}</p>", html_escape(description));
    }
    if let Some(properties) = schema["properties"].as_object() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("<ul>");
        for (field, property) in properties {
            let _ = write!(
                out,
                "<li><code>{}</code>{}: {}{}</li>",
                html_escape(field),
                if required.contains(&field.as_str()) {
                    ""
                } else {
                    " (optional)"
                },
                html_escape(&schema_label(property)),
                property["description"]
                    .as_str()
                    .map(|d| format!(" — {}", html_escape(d)))
                    .unwrap_or_default(),
            );
        }
        out.push_str("</ul>");
    } else {
        let _ = write!(out, "<p>{}</p>", html_escape(&schema_label(schema)));
    }
    out.push_str("</section>");
}

/// A short name for a schema: a component's name, `[item]` for arrays, a type otherwise.
fn schema_label(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[combinator].as_array() {
            return options
                .iter()
                .map(schema_label)
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    let kind = match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    };
    if let Some(rest) = kind.strip_prefix("array") {
        return format!("[{}]{rest}", schema_label(&schema["items"]));
    }
    if kind == "object"
        && let Some(values) = schema.get("additionalProperties")
    {
        return format!("{{string: {}}}", schema_label(values));
    }
    match schema["format"].as_str() {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}
