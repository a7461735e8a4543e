//! minijinja templates, embedded from `templates/`. Whether a page renders whole or as an
//! htmx fragment is decided here, once, from the `HX-Request` header.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse};
use minijinja::{Environment, Value};
use rust_embed::RustEmbed;

use crate::frontend::error::AppError;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_loader(|name| {
            Ok(TemplateFiles::get(name)
                .map(|file| String::from_utf8_lossy(&file.data).into_owned()))
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        Self { env }
    }

    /// Renders `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, AppError> {
        Ok(self.env.get_template(name)?.render(context)?)
    }

    /// Renders a page: the whole document, or only its content block for htmx.
    pub fn page(
        &self,
        request: &HttpRequest,
        name: &str,
        context: Value,
    ) -> Result<HttpResponse, AppError> {
        self.page_with_status(request, name, context, actix_web::http::StatusCode::OK)
    }

    pub fn page_with_status(
        &self,
        request: &HttpRequest,
        name: &str,
        context: Value,
        status: actix_web::http::StatusCode,
    ) -> Result<HttpResponse, AppError> {
        let layout = if is_htmx(request) {
            "partial.html"
        } else {
            "base.html"
        };
        let context = minijinja::context! { layout => layout, ..context };
        let body = self.render(name, context)?;
        Ok(HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(body))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

pub fn is_htmx(request: &HttpRequest) -> bool {
    request.headers().contains_key("HX-Request")
}
