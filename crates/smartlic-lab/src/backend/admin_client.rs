//! The client side of the admin API (`smartlic lab token create`, `lab fault`, tests):
//! plain HTTP to a running lab on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::faults::Faults;
use super::protocol::{TokenReply, TokenRequest};
use super::state::StateSnapshot;
use super::{BackendError, Services, require_loopback};

const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

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
