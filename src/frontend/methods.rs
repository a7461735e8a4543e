//! One resource per URL, built the same way for every entrance: its methods, `HEAD`
//! wherever `GET` is (as Django does), `OPTIONS` answering with `Allow`, and any other method
//! refused with 405 and `Allow` in the shape its audience reads. CORS preflights never get
//! here: the `/api` scope's CORS layer answers them first.

use actix_web::http::Method;
use actix_web::http::header;
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Resource, Responder, Route};
use actix_web::{guard, web};

use super::api::error::ApiError;
use super::error::AppError;

/// Who reads a method refusal, and so how it is worded.
#[derive(Debug, Clone, Copy)]
pub enum Audience {
    /// People in a browser: the HTML error page.
    Pages,
    /// Programs: DRF's `{"detail": "Method \"PATCH\" not allowed."}`.
    Api,
    /// Pages that do not announce themselves (`/admin`): 404, as for a path that does not
    /// exist, whatever the method.
    Hidden,
}

/// A URL's routes, gathered so the refusal can name the methods it does take.
pub struct Endpoint {
    path: &'static str,
    audience: Audience,
    allowed: Vec<Method>,
    routes: Vec<Route>,
}

pub fn page(path: &'static str) -> Endpoint {
    Endpoint::new(path, Audience::Pages)
}

pub fn api(path: &'static str) -> Endpoint {
    Endpoint::new(path, Audience::Api)
}

pub fn hidden(path: &'static str) -> Endpoint {
    Endpoint::new(path, Audience::Hidden)
}

impl Endpoint {
    fn new(path: &'static str, audience: Audience) -> Self {
        Self {
            path,
            audience,
            allowed: Vec::new(),
            routes: Vec::new(),
        }
    }

    /// `GET`, and `HEAD` answered by the same handler (actix sends no body for `HEAD`).
    pub fn get<F, Args>(mut self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.allowed.extend([Method::GET, Method::HEAD]);
        self.routes.push(
            web::route()
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .to(handler),
        );
        self
    }

    pub fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(Method::POST, handler)
    }

    pub fn put<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(Method::PUT, handler)
    }

    pub fn delete<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(Method::DELETE, handler)
    }

    fn on<F, Args>(mut self, method: Method, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.allowed.push(method.clone());
        self.routes.push(web::method(method).to(handler));
        self
    }

    /// The actix resource: the routes, then `OPTIONS`, then the refusal for the rest.
    pub fn resource(self) -> Resource {
        let mut allowed = self.allowed;
        allowed.push(Method::OPTIONS);
        let allow = allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let audience = self.audience;
        let options_allow = allow.clone();
        let resource = self
            .routes
            .into_iter()
            .fold(web::resource(self.path), Resource::route);
        resource
            .route(web::method(Method::OPTIONS).to(move || {
                let allow = options_allow.clone();
                async move { options(audience, allow) }
            }))
            .default_service(web::to(move |request: HttpRequest| {
                let allow = allow.clone();
                async move { Err::<HttpResponse, _>(refuse(audience, request.method(), allow)) }
            }))
    }
}

/// `OPTIONS`: the methods in `Allow`; for the API also what it reads and writes, as DRF's
/// metadata answer does.
fn options(audience: Audience, allow: String) -> Result<HttpResponse, AppError> {
    match audience {
        Audience::Hidden => Err(AppError::NotFound),
        Audience::Pages => Ok(HttpResponse::Ok()
            .insert_header((header::ALLOW, allow))
            .finish()),
        Audience::Api => Ok(HttpResponse::Ok()
            .insert_header((header::ALLOW, allow))
            .json(serde_json::json!({
                "renders": ["application/json", "application/fernet"],
                "parses": ["application/json", "application/fernet"],
            }))),
    }
}

fn refuse(audience: Audience, method: &Method, allow: String) -> actix_web::Error {
    let method = method.as_str().to_owned();
    match audience {
        Audience::Hidden => AppError::NotFound.into(),
        Audience::Pages => AppError::MethodNotAllowed { method, allow }.into(),
        Audience::Api => ApiError::MethodNotAllowed { method, allow }.into(),
    }
}
