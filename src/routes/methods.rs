//! HEAD is answered like GET, without the body: uptime monitors and link checkers use it.
//! The HTTP codec noted the method before any handler ran and leaves the body out itself,
//! keeping the headers (Content-Length included) that GET would send.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn head_as_get(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.method() == Method::HEAD {
        request.head_mut().method = Method::GET;
    }
    next.call(request).await
}
