//! The admin API's device part: the faults of each lab device, read and changed while
//! the lab runs (the back-end owns no device; `lab::run` attaches its devices with
//! [`super::Backend::attach_devices`]).
//!
//! | method and path | body → reply |
//! |---|---|
//! | `GET /admin/devices` | → `{"devices": [name, …]}` |
//! | `GET /admin/devices/{name}/faults` | → the device's faults |
//! | `PUT /admin/devices/{name}/faults` | faults → the faults now in force (replaces them all) |
//!
//! The faults are JSON with the field names of the inventory's `lab.faults` block
//! ([`DeviceFaults`]); fields left out are no fault, unknown fields are refused (HTTP 400),
//! and so are values out of the inventory's bounds. An unknown device is HTTP 404. SSH
//! faults (`auth_failure`, `drop_after`, `legacy_ssh`, `changed_host_key`,
//! `keyboard_interactive_only`) apply to the connections opened afterwards; CLI faults (`latency_ms`, `hang_on`, `invalid`) to the
//! next command, in open sessions too.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::admin_client::call;
use super::{BackendError, Shared};
pub use crate::device_faults::Faults as DeviceFaults;

/// The lab's devices, as the admin API reaches them.
pub trait DeviceAdmin: Send + Sync {
    /// Every device's name, in inventory order.
    fn device_names(&self) -> Vec<String>;
    /// The faults in force on `name`; `None`: no such device.
    fn device_faults(&self, name: &str) -> Option<DeviceFaults>;
    /// Puts `faults` (already checked) in force on `name`; false: no such device.
    fn set_device_faults(&self, name: &str, faults: DeviceFaults) -> bool;
}

/// `GET /admin/devices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    pub devices: Vec<String>,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/admin/devices", get(list))
        .route(
            "/admin/devices/{name}/faults",
            get(get_faults).put(put_faults),
        )
        .with_state(shared)
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn no_device(name: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no lab device `{name}`"))
}

async fn list(State(shared): State<Arc<Shared>>) -> Json<DeviceList> {
    let devices = shared
        .devices
        .get()
        .map(|d| d.device_names())
        .unwrap_or_default();
    Json(DeviceList { devices })
}

async fn get_faults(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    match shared.devices.get().and_then(|d| d.device_faults(&name)) {
        Some(faults) => Json(faults).into_response(),
        None => no_device(&name),
    }
}

async fn put_faults(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(devices) = shared.devices.get() else {
        return no_device(&name);
    };
    let faults: DeviceFaults = match serde_json::from_slice(&body) {
        Ok(faults) => faults,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("device faults: {e}")),
    };
    let problems = faults.problems();
    if !problems.is_empty() {
        return error(StatusCode::BAD_REQUEST, problems.join("; "));
    }
    if !devices.set_device_faults(&name, faults) {
        return no_device(&name);
    }
    match devices.device_faults(&name) {
        Some(faults) => Json(faults).into_response(),
        None => no_device(&name),
    }
}

/// A device's faults in a running lab (`smartlic lab fault`).
pub async fn device_faults_via_admin(
    admin: SocketAddr,
    device: &str,
) -> Result<DeviceFaults, BackendError> {
    let path = format!("/admin/devices/{}/faults", path_segment(device));
    call::<(), _>(admin, reqwest::Method::GET, &path, None).await
}

/// Replaces a device's faults in a running lab; the faults now in force.
pub async fn set_device_faults_via_admin(
    admin: SocketAddr,
    device: &str,
    faults: &DeviceFaults,
) -> Result<DeviceFaults, BackendError> {
    let path = format!("/admin/devices/{}/faults", path_segment(device));
    call(admin, reqwest::Method::PUT, &path, Some(faults)).await
}

/// The device names of a running lab.
pub async fn devices_via_admin(admin: SocketAddr) -> Result<DeviceList, BackendError> {
    call::<(), _>(admin, reqwest::Method::GET, "/admin/devices", None).await
}

/// A host name as one URL path segment: everything but unreserved characters
/// percent-encoded.
fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_path_segment() {
        assert_eq!(path_segment("core-1.lab"), "core-1.lab");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn device_faults_json_uses_the_inventory_names_and_refuses_unknown_fields() {
        let faults: DeviceFaults =
            serde_json::from_str(r#"{"latency_ms": 200, "hang_on": ["show license status"]}"#)
                .unwrap();
        assert_eq!(faults.latency_ms, 200);
        assert_eq!(faults.hang_on, ["show license status"]);
        assert!(!faults.auth_failure && faults.drop_after.is_none());
        let error = serde_json::from_str::<DeviceFaults>(r#"{"latency": 5}"#).unwrap_err();
        assert!(
            error.to_string().contains("unknown field `latency`"),
            "{error}"
        );
        let too_slow: DeviceFaults = serde_json::from_str(r#"{"latency_ms": 600001}"#).unwrap();
        assert_eq!(too_slow.problems().len(), 1);
    }
}
