//! The back-end's admin API, plain HTTP on loopback, for `smartlic lab token create` and
//! for tests — the lab's stand-in for the CSSM and satellite web portals ([CAT-TS] [NX-TS] [ACI-SL] "New
//! Token"):
//!
//! | method and path | body → reply |
//! |---|---|
//! | `POST /admin/tokens` | [`TokenRequest`] → [`TokenReply`] |
//! | `POST /admin/tokens/revoke` | [`RevokeRequest`] → `{"revoked": bool}` |
//! | `POST /admin/pools` | [`PoolRequest`] → the pool's [`PoolSnapshot`] |
//! | `GET /admin/faults`, `POST /admin/faults` | [`Faults`] (the POST replaces them all) |
//! | `GET /admin/state` | [`StateSnapshot`] |
//! | `GET /admin/services` | [`Services`] (where each service listens, names, CA PEMs) |
//! | `GET /admin/devices`, `GET`/`PUT /admin/devices/{name}/faults` | see [`super::devices`] |
//!
//! Errors are HTTP 4xx with `{"error": "…"}`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::faults::Faults;
use super::protocol::{PoolRequest, RevokeRequest, TokenRequest};
use super::state::{PoolSnapshot, StateSnapshot};
use super::{Services, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/admin/tokens", post(create_token))
        .route("/admin/tokens/revoke", post(revoke_token))
        .route("/admin/pools", post(set_pool))
        .route("/admin/faults", get(get_faults).post(set_faults))
        .route("/admin/state", get(state))
        .route("/admin/services", get(services))
        .with_state(Arc::clone(&shared))
        .merge(super::devices::router(shared))
}

/// Mints the token, or refuses a request no token can be made for (nothing is added to
/// the books: a typo in an account name must not create an account).
async fn create_token(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<TokenRequest>,
) -> Response {
    let problem = match request.problem() {
        Some((field, why)) => Some(format!("{field} {why}")),
        None => shared
            .books()
            .unknown_account(&request.account, &request.virtual_account),
    };
    match problem {
        Some(error) => (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response(),
        None => Json(shared.mint_token(&request)).into_response(),
    }
}

async fn revoke_token(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<RevokeRequest>,
) -> Response {
    if shared.books().revoke_token(&request.token) {
        Json(json!({"revoked": true})).into_response()
    } else {
        let error = json!({"error": "no such token"});
        (StatusCode::NOT_FOUND, Json(error)).into_response()
    }
}

async fn set_pool(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<PoolRequest>,
) -> Json<Option<PoolSnapshot>> {
    shared.books().set_pool(&request);
    let snapshot = shared.snapshot();
    Json(
        snapshot
            .pool(&request.account, &request.virtual_account, &request.tag)
            .cloned(),
    )
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Faults> {
    Json(shared.faults())
}

async fn set_faults(State(shared): State<Arc<Shared>>, Json(faults): Json<Faults>) -> Json<Faults> {
    shared.set_faults(faults);
    Json(shared.faults())
}

async fn state(State(shared): State<Arc<Shared>>) -> Json<StateSnapshot> {
    Json(shared.snapshot())
}

async fn services(State(shared): State<Arc<Shared>>) -> Json<Services> {
    Json(shared.services.clone())
}
