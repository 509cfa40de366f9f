//! One SSH connection to a lab device: authentication (password and
//! keyboard-interactive, or the `reject_auth` and `keyboard_interactive_only` faults) and
//! the requests on its channels.
//!
//! Requests are acknowledged here, in russh's event loop; what they do (open a
//! terminal, run a command) happens in the channel's own task (`channel.rs`).

use std::sync::Arc;

use russh::server::{Auth, ChannelOpenHandle, Handler, Msg, Response, Session};
use russh::{Channel, ChannelId};

use super::Device;
use super::channel::{self, Budget, ChannelContext};
use super::profile::PASSWORD_PROMPT;
use crate::terminal::Console;

/// Where a keyboard-interactive login is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KbdStage {
    /// Nothing asked yet.
    Start,
    /// `Password: ` asked.
    AskedPassword,
    /// The password was right; an info request with no prompts was sent, as TACACS+ and
    /// RADIUS-backed devices do, and the client must answer it with an empty list
    /// (russh issue #512).
    Confirming,
}

pub struct Connection {
    device: Arc<Device>,
    /// The faults when the connection opened: a run-time change applies to new ones.
    reject_auth: bool,
    /// The `keyboard_interactive_only` fault: a `password` request is refused even if
    /// the client sends one although the method is not offered.
    keyboard_interactive_only: bool,
    budget: Arc<Budget>,
    kbd: KbdStage,
}

impl Connection {
    pub fn new(device: Arc<Device>) -> Connection {
        let faults = device.faults();
        Connection {
            device,
            reject_auth: faults.reject_auth,
            keyboard_interactive_only: faults.keyboard_interactive_only,
            budget: Arc::new(Budget::new(faults.drop_after_commands)),
            kbd: KbdStage::Start,
        }
    }

    fn accepts(&self, user: &str, password: &[u8]) -> bool {
        !self.reject_auth
            && self
                .device
                .users
                .iter()
                .any(|(name, secret)| name == user && secret.expose().as_bytes() == password)
    }

    fn console(&self) -> Arc<dyn Console> {
        Arc::clone(&self.device.console)
    }
}

fn prompts(list: &'static [(std::borrow::Cow<'static, str>, bool)]) -> Auth {
    Auth::Partial {
        name: "".into(),
        instructions: "".into(),
        prompts: list.into(),
    }
}

const ASK_PASSWORD: &[(std::borrow::Cow<'static, str>, bool)] =
    &[(std::borrow::Cow::Borrowed(PASSWORD_PROMPT), false)];

impl Handler for Connection {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(
            if !self.keyboard_interactive_only && self.accepts(user, password.as_bytes()) {
                Auth::Accept
            } else {
                Auth::reject()
            },
        )
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        let (stage, auth) = match (self.kbd, response) {
            (_, None) => (KbdStage::AskedPassword, prompts(ASK_PASSWORD)),
            (KbdStage::AskedPassword, Some(mut answers)) => {
                let password = answers.next().unwrap_or_default();
                if self.accepts(user, &password) {
                    (KbdStage::Confirming, prompts(&[]))
                } else {
                    (KbdStage::Start, Auth::reject())
                }
            }
            (KbdStage::Confirming, Some(_)) => (KbdStage::Start, Auth::Accept),
            (KbdStage::Start, Some(_)) => (KbdStage::Start, Auth::reject()),
        };
        self.kbd = stage;
        Ok(auth)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        let ctx = ChannelContext {
            console: self.console(),
            budget: Arc::clone(&self.budget),
            session: session.handle(),
        };
        tokio::spawn(channel::run(channel, ctx));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // russh's signature
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _cols: u32,
        _rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    // A device has no subsystems (no SFTP), X11 or environment to set: say so, or a
    // client that asked for a reply would wait for one.
    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _protocol: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }
}
