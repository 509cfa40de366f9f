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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::faults::Faults;
use super::state::{PoolSnapshot, Realm, StateSnapshot};
use super::{BackendError, Services, Shared, require_loopback};

const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// `POST /admin/tokens`: mint an ID token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub account: String,
    pub virtual_account: String,
    /// Which back-end issues it (`cssm` by default, or `satellite`).
    #[serde(default)]
    pub realm: Realm,
    /// [CAT-TS] [NX-TS] [ACI-SL] "Expire After" (days of lab time).
    #[serde(default = "default_expiry")]
    pub expires_days: u32,
    /// How many registrations it allows (`None`: unlimited; [CAT-TS] [NX-TS] [ACI-SL] "one token can
    /// register many devices").
    #[serde(default)]
    pub max_uses: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
}

fn default_expiry() -> u32 {
    30
}

impl TokenRequest {
    /// A CSSM token for `account`/`virtual_account` with the defaults (30 days, unlimited).
    pub fn new(account: &str, virtual_account: &str) -> TokenRequest {
        TokenRequest {
            account: account.to_string(),
            virtual_account: virtual_account.to_string(),
            realm: Realm::Cssm,
            expires_days: default_expiry(),
            max_uses: None,
            description: None,
        }
    }

    /// The field that no token can have as asked, and why: a token that expires at once
    /// or allows no registration registers nothing. (The lab's own tests still mint
    /// expired tokens in process, through [`super::Backend::create_token`].)
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.expires_days == 0 {
            return Some(("expires_days", "must be at least 1"));
        }
        if self.max_uses == Some(0) {
            return Some(("max_uses", "must be at least 1"));
        }
        None
    }
}

/// The minted token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenReply {
    pub token: String,
    pub realm: Realm,
    pub account: String,
    pub virtual_account: String,
    pub expires_ms: i64,
    pub max_uses: Option<u32>,
}

/// `POST /admin/tokens/revoke`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeRequest {
    pub token: String,
}

/// `POST /admin/pools`: set how many licenses of `tag` the virtual account holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolRequest {
    pub account: String,
    pub virtual_account: String,
    pub tag: String,
    pub count: i64,
}

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

/// Mints a token through a running lab's admin API (`smartlic lab token create`).
pub async fn create_token_via_admin(
    admin: SocketAddr,
    request: &TokenRequest,
) -> Result<TokenReply, BackendError> {
    call(admin, reqwest::Method::POST, "/admin/tokens", Some(request)).await
}

/// Replaces a running lab's faults.
pub async fn set_faults_via_admin(
    admin: SocketAddr,
    faults: &Faults,
) -> Result<Faults, BackendError> {
    call(admin, reqwest::Method::POST, "/admin/faults", Some(faults)).await
}

/// Reads a running lab's books.
pub async fn state_via_admin(admin: SocketAddr) -> Result<StateSnapshot, BackendError> {
    call::<(), _>(admin, reqwest::Method::GET, "/admin/state", None).await
}

/// Reads where a running lab's services listen.
pub async fn services_via_admin(admin: SocketAddr) -> Result<Services, BackendError> {
    call::<(), _>(admin, reqwest::Method::GET, "/admin/services", None).await
}

pub(crate) async fn call<B: Serialize, R: DeserializeOwned>(
    admin: SocketAddr,
    method: reqwest::Method,
    path: &str,
    body: Option<&B>,
) -> Result<R, BackendError> {
    require_loopback("admin API", admin)?;
    let failed = |message: String| BackendError::Admin { admin, message };
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let mut request = client.request(method, format!("http://{admin}{path}"));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        return Err(failed(format!("HTTP {status}: {text}")));
    }
    response.json().await.map_err(|e| failed(e.to_string()))
}
