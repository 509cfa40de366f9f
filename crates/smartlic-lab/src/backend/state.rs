//! The back-end's books and its licensing logic, without any HTTP: smart and virtual
//! accounts, license pools per entitlement tag, tokens, product instances, and what each
//! [`Request`] does to them. The services lock one [`Books`] and call [`Books::handle`].
//!
//! Two realms keep their own tokens and product instances: CSSM (reached directly, through
//! the transport gateway, or through the proxy) and the on-prem satellite. A token belongs
//! to one realm; using it in the other fails ([CAT-TS] [NX-TS] [ACI-SL], ACI-4). License pools belong to the
//! accounts and are shared, as a synchronised satellite mirrors its smart account
//! ([CAT-TS] [NX-TS] [ACI-SL] "synchronises its database with CSSM").

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};

use serde::{Deserialize, Serialize};

use super::faults::Faults;
use super::protocol::{
    AuthStatus, AuthorizeReply, AuthorizeRequest, DeregisterReply, Entitlement, EntitlementStatus,
    Failure, FailureCode, IdCert, InstanceRequest, Policy, PoolRequest, Realm, RegisterReply,
    RegisterRequest, RenewIdReply, ReportReply, ReportRequest, Request, Response, Success,
    TokenReply, TokenRequest, TrustReply, TrustRequest, Udi, reason,
};

const DAY_MS: i64 = 86_400_000;
/// [CAT-TS] [NX-TS] [ACI-SL]: the ID certificate is valid 1 year and renewed after 6 months.
const ID_CERT_MS: i64 = 365 * DAY_MS;
const ID_RENEW_MS: i64 = 182 * DAY_MS;
/// [CAT-TS] [NX-TS] [ACI-SL]: authorization is valid 90 days, renewed every 30; after 90 days without
/// communication CSSM returns the device's licenses to the pool.
const AUTH_MS: i64 = 90 * DAY_MS;
const AUTH_RENEW_MS: i64 = 30 * DAY_MS;

/// Which path a request came in on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    CallHome,
    Smart,
    OnPrem,
    /// `/cslu/v1/pi[/<account>]`.
    Cslu {
        account: Option<String>,
    },
}

/// What a request is checked with besides its body.
pub struct Context<'a> {
    pub realm: Realm,
    pub endpoint: &'a Endpoint,
    pub now_ms: i64,
    pub faults: &'a Faults,
}

/// A smart account as configured at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSeed {
    pub name: String,
    pub virtual_accounts: Vec<VirtualAccountSeed>,
}

/// A virtual account as configured at start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VirtualAccountSeed {
    pub name: String,
    /// Purchased licenses per entitlement tag.
    pub pools: BTreeMap<String, i64>,
    /// Purchased licenses for any tag not in `pools` (`None`: none), so a lab VA can hold
    /// "plenty of everything" without listing every platform's tags.
    pub default_count: Option<i64>,
}

impl AccountSeed {
    /// The lab's default books: `Example Account` (the name docs/troubleshooting.md CAT-6 shows)
    /// with a `Default` VA holding 1,000 of every license and an `Empty` VA holding none
    /// (a token from it leads to out of compliance, docs/troubleshooting.md CAT-8).
    pub fn lab_default() -> Vec<AccountSeed> {
        vec![AccountSeed {
            name: "Example Account".into(),
            virtual_accounts: vec![
                VirtualAccountSeed {
                    name: "Default".into(),
                    pools: BTreeMap::new(),
                    default_count: Some(1000),
                },
                VirtualAccountSeed {
                    name: "Empty".into(),
                    ..VirtualAccountSeed::default()
                },
            ],
        }]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Token {
    realm: Realm,
    account: String,
    virtual_account: String,
    created_ms: i64,
    expires_ms: i64,
    max_uses: Option<u32>,
    uses: u32,
    revoked: bool,
    description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Instance {
    instance_id: String,
    account: String,
    virtual_account: String,
    hostname: Option<String>,
    registered_ms: i64,
    /// Classic only; `None` for a Using Policy trust (no ID certificate to expire).
    id_cert: Option<IdCert>,
    trust_id: Option<u64>,
    /// Entitlements in use, as last authorized or reported.
    usage: BTreeMap<String, u32>,
    /// When `usage` was last authorized or reported.
    usage_ms: Option<i64>,
}

impl Instance {
    fn alive(&self, now_ms: i64) -> bool {
        self.id_cert.as_ref().is_none_or(|c| c.expires_ms > now_ms)
    }

    /// Whether the instance's usage still counts against the pools ([CAT-TS] [NX-TS] [ACI-SL]: licenses go
    /// back to the pool after 90 days without communication).
    fn consumes(&self, now_ms: i64) -> bool {
        self.usage_ms.is_some_and(|at| now_ms < at + AUTH_MS) && !self.usage.is_empty()
    }
}

/// What the back-end received from one UDI in one realm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// `register` requests received, successful or not.
    pub register_requests: u32,
    /// Successful registrations, each of which used a token once.
    pub registrations: u32,
    pub authorizations: u32,
    pub id_renewals: u32,
    pub deregistrations: u32,
    /// `trust` requests received, successful or not.
    pub trust_requests: u32,
    /// Successful trusts, each of which used a token once.
    pub trusts: u32,
    pub reports: u32,
}

/// The books.
#[derive(Debug)]
pub struct Books {
    /// Smart account → virtual account → seed (pools).
    accounts: BTreeMap<String, BTreeMap<String, VirtualAccountSeed>>,
    tokens: BTreeMap<String, Token>,
    instances: BTreeMap<(Realm, Udi), Instance>,
    counters: BTreeMap<(Realm, Udi), Counters>,
    policy: Policy,
    skew_tolerance_ms: i64,
    /// Since when the `signature_mismatch` fault is on (first request that saw it).
    desync_since_ms: Option<i64>,
    sequence: u64,
    random: RandomState,
}

impl Books {
    pub fn new(accounts: &[AccountSeed], policy: Policy, skew_tolerance_secs: u64) -> Books {
        let mut books = Books {
            accounts: BTreeMap::new(),
            tokens: BTreeMap::new(),
            instances: BTreeMap::new(),
            counters: BTreeMap::new(),
            policy,
            skew_tolerance_ms: i64::try_from(skew_tolerance_secs)
                .unwrap_or(i64::MAX / 1000)
                .saturating_mul(1000),
            desync_since_ms: None,
            sequence: 0,
            random: RandomState::new(),
        };
        for account in accounts {
            for va in &account.virtual_accounts {
                books
                    .virtual_account_mut(&account.name, &va.name)
                    .clone_from(va);
            }
        }
        books
    }

    /// Answers one licensing request.
    pub fn handle(&mut self, ctx: &Context, request: &Request) -> Response {
        self.purge(ctx.now_ms);
        self.desync_since_ms = match (ctx.faults.signature_mismatch, self.desync_since_ms) {
            (false, _) => None,
            (true, since) => Some(since.unwrap_or(ctx.now_ms)),
        };
        self.count_received(ctx.realm, request);
        let result = self.precheck(ctx, request).and_then(|()| match request {
            Request::Register(r) => self.register(ctx, r),
            Request::Authorize(r) => self.authorize(ctx, r),
            Request::RenewId(r) => self.renew_id(ctx, r),
            Request::Deregister(r) => self.deregister(ctx, r),
            Request::Trust(r) => self.trust(ctx, r),
            Request::Report(r) => self.report(ctx, r),
        });
        match result {
            Ok(success) => Response::Ok(success),
            Err(failure) => Response::Failed(failure),
        }
    }

    fn count_received(&mut self, realm: Realm, request: &Request) {
        let counters = self.counters_mut(realm, request.udi());
        match request {
            Request::Register(_) => counters.register_requests += 1,
            Request::Trust(_) => counters.trust_requests += 1,
            _ => {}
        }
    }

    /// Failures that apply to every kind of request.
    fn precheck(&self, ctx: &Context, request: &Request) -> Result<(), Failure> {
        if ctx.realm == Realm::Satellite && ctx.faults.satellite_cert_expired {
            // docs/troubleshooting.md CAT-6 (CSCvr41393).
            return Err(Failure::new(FailureCode::InvalidData, reason::INVALID_DATA)
                .with_detail(reason::INVALID_DATA_STATUS));
        }
        if ctx.faults.try_again {
            // docs/troubleshooting.md CAT-2.
            return Err(Failure::new(FailureCode::TryAgain, reason::TRY_AGAIN)
                .with_detail("the try_again fault is on"));
        }
        let device = request.device_time_ms();
        if (device - ctx.now_ms).abs() > self.skew_tolerance_ms {
            // docs/troubleshooting.md CAT-3; [NX-TSFAQ]: tolerance under one hour.
            return Err(
                Failure::new(FailureCode::ClockSkew, reason::clock_skew(device)).with_detail(
                    format!("device time {device} ms, back-end time {} ms", ctx.now_ms),
                ),
            );
        }
        Ok(())
    }

    fn register(&mut self, ctx: &Context, r: &RegisterRequest) -> Result<Success, Failure> {
        let (account, va) = self.claim_token(ctx, &r.token, &r.udi, r.force)?;
        let instance = self.install(ctx, &r.udi, account, va, r.hostname.clone(), true);
        let reply = RegisterReply {
            instance_id: instance.instance_id.clone(),
            smart_account: instance.account.clone(),
            virtual_account: instance.virtual_account.clone(),
            id_cert: instance
                .id_cert
                .clone()
                .expect("classic instances have one"),
            export_controlled_allowed: true,
        };
        self.counters_mut(ctx.realm, &r.udi).registrations += 1;
        Ok(Success::Register(reply))
    }

    fn trust(&mut self, ctx: &Context, r: &TrustRequest) -> Result<Success, Failure> {
        // [NX-TSFAQ]: a UDI that already has trust needs `force`. Cisco's documents give no string
        // for it; CAT-1's is used, as the cause is the same (UDI already registered).
        let (account, va) = self.claim_token(ctx, &r.token, &r.udi, r.force)?;
        let policy = self.policy.clone();
        let instance = self.install(ctx, &r.udi, account, va, r.hostname.clone(), false);
        let reply = TrustReply {
            instance_id: instance.instance_id.clone(),
            trust_id: instance.trust_id.unwrap_or_default(),
            installed_ms: ctx.now_ms,
            smart_account: instance.account.clone(),
            virtual_account: instance.virtual_account.clone(),
            policy,
            ack_ms: ctx.now_ms,
        };
        self.counters_mut(ctx.realm, &r.udi).trusts += 1;
        Ok(Success::Trust(reply))
    }

    /// Checks the token and the UDI's existing instance, then uses the token once.
    fn claim_token(
        &mut self,
        ctx: &Context,
        token: &str,
        udi: &Udi,
        force: bool,
    ) -> Result<(String, String), Failure> {
        let (account, va) = self.check_token(ctx, token)?;
        if let Some(existing) = self.instances.get(&(ctx.realm, udi.clone()))
            && !force
        {
            return Err(already_registered(existing, &account, &va, udi, ctx.now_ms));
        }
        if let Some(t) = self.tokens.get_mut(token) {
            t.uses += 1;
        }
        Ok((account, va))
    }

    /// The token's smart and virtual account, or why it cannot be used. Cisco's documents give no
    /// device string for a bad token (ACI-4 calls the fault "self-explanatory"); CAT-2's
    /// reason is the one whose remedy is "generate a new token", so every token failure
    /// answers it, and `code`/`detail` tell which.
    fn check_token(&self, ctx: &Context, token: &str) -> Result<(String, String), Failure> {
        let fail = |code, detail: &str| {
            Err(Failure::new(code, reason::TRY_AGAIN).with_detail(detail.to_string()))
        };
        let Some(t) = self.tokens.get(token) else {
            return fail(FailureCode::TokenUnknown, "no such token");
        };
        if t.realm != ctx.realm {
            return fail(
                FailureCode::TokenWrongBackend,
                "the token was generated on another back-end (CSSM vs satellite)",
            );
        }
        if t.revoked {
            return fail(FailureCode::TokenRevoked, "the token was revoked");
        }
        if ctx.now_ms >= t.expires_ms {
            return fail(FailureCode::TokenExpired, "the token has expired");
        }
        if t.max_uses.is_some_and(|max| t.uses >= max) {
            return fail(
                FailureCode::TokenUsedUp,
                "the token reached its maximum number of uses",
            );
        }
        Ok((t.account.clone(), t.virtual_account.clone()))
    }

    /// Creates (or, with force, replaces) the UDI's product instance.
    fn install(
        &mut self,
        ctx: &Context,
        udi: &Udi,
        account: String,
        virtual_account: String,
        hostname: Option<String>,
        classic: bool,
    ) -> &Instance {
        let instance = Instance {
            instance_id: self.uuid(),
            account,
            virtual_account,
            hostname,
            registered_ms: ctx.now_ms,
            id_cert: classic.then(|| self.id_cert(ctx.now_ms)),
            trust_id: (!classic).then(|| self.next()),
            usage: BTreeMap::new(),
            usage_ms: None,
        };
        let key = (ctx.realm, udi.clone());
        self.instances.insert(key.clone(), instance);
        &self.instances[&key]
    }

    fn authorize(&mut self, ctx: &Context, r: &AuthorizeRequest) -> Result<Success, Failure> {
        let key = self.identify(ctx, &r.udi, &r.instance_id, Some(&r.id_cert_serial))?;
        let instance = self.instances.get_mut(&key).expect("identified");
        let desynced = self
            .desync_since_ms
            .is_some_and(|since| instance.registered_ms <= since);
        if desynced && instance.usage_ms.is_some() {
            // docs/troubleshooting.md CAT-9: on a renewal, after a first authorization, of an instance
            // registered before the fault came on. Cisco's remedy (deregister, register
            // force with a new token) makes a new instance, which is in sync.
            return Err(
                Failure::new(FailureCode::SignatureMismatch, reason::SIGNATURE_MISMATCH)
                    .with_detail("the signature_mismatch fault is on"),
            );
        }
        instance.usage = merge(&r.entitlements);
        instance.usage_ms = Some(ctx.now_ms);
        let (account, va) = (instance.account.clone(), instance.virtual_account.clone());
        let entitlements: Vec<EntitlementStatus> = r
            .entitlements
            .iter()
            .map(|e| {
                let balance = self.balance(&account, &va, &e.tag, ctx.now_ms);
                EntitlementStatus {
                    tag: e.tag.clone(),
                    count: e.count,
                    status: compliance(balance),
                    balance,
                }
            })
            .collect();
        let status = if entitlements
            .iter()
            .any(|e| e.status == AuthStatus::OutOfCompliance)
        {
            AuthStatus::OutOfCompliance
        } else {
            AuthStatus::Authorized
        };
        self.counters_mut(ctx.realm, &r.udi).authorizations += 1;
        Ok(Success::Authorize(AuthorizeReply {
            status,
            entitlements,
            authorized_ms: ctx.now_ms,
            expires_ms: ctx.now_ms + AUTH_MS,
            next_renewal_ms: ctx.now_ms + AUTH_RENEW_MS,
        }))
    }

    fn renew_id(&mut self, ctx: &Context, r: &InstanceRequest) -> Result<Success, Failure> {
        let key = self.identify(ctx, &r.udi, &r.instance_id, Some(&r.id_cert_serial))?;
        let id_cert = self.id_cert(ctx.now_ms);
        self.instances.get_mut(&key).expect("identified").id_cert = Some(id_cert.clone());
        self.counters_mut(ctx.realm, &r.udi).id_renewals += 1;
        Ok(Success::RenewId(RenewIdReply { id_cert }))
    }

    fn deregister(&mut self, ctx: &Context, r: &InstanceRequest) -> Result<Success, Failure> {
        let key = self.identify(ctx, &r.udi, &r.instance_id, Some(&r.id_cert_serial))?;
        self.instances.remove(&key);
        self.counters_mut(ctx.realm, &r.udi).deregistrations += 1;
        Ok(Success::Deregister(DeregisterReply {
            instance_id: r.instance_id.clone(),
        }))
    }

    fn report(&mut self, ctx: &Context, r: &ReportRequest) -> Result<Success, Failure> {
        let usage = latest_usage(r);
        match &r.instance_id {
            Some(id) => {
                let key = self.identify(ctx, &r.udi, id, None)?;
                let instance = self.instances.get_mut(&key).expect("identified");
                instance.usage = usage;
                instance.usage_ms = Some(ctx.now_ms);
            }
            // CSLU / SSM On-Prem collects reports without a trust code ([RTR-CMD] [GENIELIBS]).
            None if matches!(ctx.endpoint, Endpoint::Cslu { .. }) => {}
            None => {
                return Err(Failure::new(
                    FailureCode::UnknownInstance,
                    reason::identity_not_valid("<none>"),
                )
                .with_detail("direct communication needs a trust code ([GENIEPARSER])"));
            }
        }
        self.counters_mut(ctx.realm, &r.udi).reports += 1;
        Ok(Success::Report(ReportReply {
            acked: r.reports.iter().map(|report| report.report_id).collect(),
            ack_ms: ctx.now_ms,
            policy: self.policy.clone(),
        }))
    }

    /// The instance a request claims to be, or why the back-end does not know it.
    fn identify(
        &self,
        ctx: &Context,
        udi: &Udi,
        instance_id: &str,
        serial: Option<&str>,
    ) -> Result<(Realm, Udi), Failure> {
        let key = (ctx.realm, udi.clone());
        let Some(instance) = self
            .instances
            .get(&key)
            .filter(|i| i.instance_id == instance_id)
        else {
            // [GENIEPARSER] (tech-support captures).
            return Err(Failure::new(
                FailureCode::UnknownInstance,
                reason::identity_not_valid(instance_id),
            ));
        };
        let held = instance.id_cert.as_ref().map(|c| c.serial.as_str());
        if serial.is_some() && held != serial {
            // docs/troubleshooting.md CAT-9: the device's identity data is out of sync with CSSM.
            return Err(
                Failure::new(FailureCode::SignatureMismatch, reason::SIGNATURE_MISMATCH)
                    .with_detail("the ID certificate serial does not match"),
            );
        }
        Ok(key)
    }

    /// Purchased minus in use for `tag` in a virtual account (negative: out of compliance).
    fn balance(&self, account: &str, va: &str, tag: &str, now_ms: i64) -> i64 {
        self.purchased(account, va, tag) - self.in_use(account, va, tag, now_ms)
    }

    fn purchased(&self, account: &str, va: &str, tag: &str) -> i64 {
        let Some(seed) = self.accounts.get(account).and_then(|vas| vas.get(va)) else {
            return 0;
        };
        seed.pools
            .get(tag)
            .copied()
            .or(seed.default_count)
            .unwrap_or(0)
    }

    fn in_use(&self, account: &str, va: &str, tag: &str, now_ms: i64) -> i64 {
        self.instances
            .values()
            .filter(|i| i.account == account && i.virtual_account == va && i.consumes(now_ms))
            .filter_map(|i| i.usage.get(tag))
            .map(|&count| i64::from(count))
            .sum()
    }

    /// [CAT-TS] [NX-TS] [ACI-SL]: at 1 year without an ID-certificate renewal CSSM removes the instance.
    fn purge(&mut self, now_ms: i64) {
        self.instances.retain(|_, i| i.alive(now_ms));
    }

    fn id_cert(&mut self, now_ms: i64) -> IdCert {
        IdCert {
            serial: format!("{:016X}", self.random()),
            issued_ms: now_ms,
            expires_ms: now_ms + ID_CERT_MS,
            renew_after_ms: now_ms + ID_RENEW_MS,
        }
    }

    fn counters_mut(&mut self, realm: Realm, udi: &Udi) -> &mut Counters {
        self.counters.entry((realm, udi.clone())).or_default()
    }

    /// Why `account` / `va` is not in the books, naming what is there; `None` when it is.
    pub fn unknown_account(&self, account: &str, va: &str) -> Option<String> {
        let names = |keys: Vec<&String>| {
            keys.into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(vas) = self.accounts.get(account) else {
            let known = names(self.accounts.keys().collect());
            return Some(format!(
                "no account `{account}` in the lab (accounts: {known})"
            ));
        };
        if vas.contains_key(va) {
            return None;
        }
        let known = names(vas.keys().collect());
        Some(format!(
            "no virtual account `{va}` in `{account}` (virtual accounts: {known})"
        ))
    }

    fn virtual_account_mut(&mut self, account: &str, va: &str) -> &mut VirtualAccountSeed {
        self.accounts
            .entry(account.to_string())
            .or_default()
            .entry(va.to_string())
            .or_insert_with(|| VirtualAccountSeed {
                name: va.to_string(),
                ..VirtualAccountSeed::default()
            })
    }

    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    fn random(&mut self) -> u64 {
        let n = self.next();
        self.random.hash_one(n)
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.random(), self.random());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

/// What the books keep between `--lab` runs ([`crate::saved`]): accounts and
/// pools, the tokens devices used (unexpired), product instances and counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedBooks {
    accounts: BTreeMap<String, BTreeMap<String, VirtualAccountSeed>>,
    tokens: BTreeMap<String, Token>,
    instances: Vec<SavedInstance>,
    counters: Vec<CountersSnapshot>,
    desync_since_ms: Option<i64>,
    sequence: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SavedInstance {
    realm: Realm,
    udi: Udi,
    #[serde(flatten)]
    instance: Instance,
}

impl SavedBooks {
    /// The product instances' UDIs in `realm`.
    pub fn instance_udis(&self, realm: Realm) -> Vec<&Udi> {
        self.instances
            .iter()
            .filter(|i| i.realm == realm)
            .map(|i| &i.udi)
            .collect()
    }

    /// Drops the product instances of `udi` in both realms (a device back to factory
    /// state is not registered anywhere).
    pub fn forget(&mut self, udi: &Udi) {
        self.instances.retain(|i| &i.udi != udi);
    }
}

/// Saving and resuming.
impl Books {
    /// The books as they are at `now_ms`, less expired instances and the tokens no
    /// device used or that expired (each `--lab` run mints its own: the unused ones of a
    /// run are of no use to the next, and would pile up).
    pub fn saved(&mut self, now_ms: i64) -> SavedBooks {
        self.purge(now_ms);
        SavedBooks {
            accounts: self.accounts.clone(),
            tokens: self
                .tokens
                .iter()
                .filter(|(_, t)| t.uses > 0 && t.expires_ms > now_ms)
                .map(|(k, t)| (k.clone(), t.clone()))
                .collect(),
            instances: self
                .instances
                .iter()
                .map(|((realm, udi), instance)| SavedInstance {
                    realm: *realm,
                    udi: udi.clone(),
                    instance: instance.clone(),
                })
                .collect(),
            counters: self.counter_snapshots(),
            desync_since_ms: self.desync_since_ms,
            sequence: self.sequence,
        }
    }

    /// Takes back what [`Books::saved`] kept. The accounts this back-end was started with
    /// (the inventory's `lab_backend`) win over the saved ones of the same name.
    pub fn resume(&mut self, saved: SavedBooks) {
        let configured = std::mem::replace(&mut self.accounts, saved.accounts);
        for (account, vas) in configured {
            self.accounts.entry(account).or_default().extend(vas);
        }
        self.tokens = saved.tokens;
        self.instances = saved
            .instances
            .into_iter()
            .map(|i| ((i.realm, i.udi), i.instance))
            .collect();
        self.counters = saved
            .counters
            .into_iter()
            .map(|c| ((c.realm, c.udi), c.counters))
            .collect();
        self.desync_since_ms = saved.desync_since_ms;
        self.sequence = saved.sequence;
    }
}

/// Admin operations.
impl Books {
    /// Mints a token (the account and VA are created, empty, if new).
    pub fn mint_token(&mut self, request: &TokenRequest, now_ms: i64) -> TokenReply {
        self.virtual_account_mut(&request.account, &request.virtual_account);
        let expires_ms = now_ms + i64::from(request.expires_days) * DAY_MS;
        // Shaped like a CSSM token: base64 of "<uuid>-<expiry seconds>".
        let token = base64(format!("{}-{}", self.uuid(), expires_ms / 1000).as_bytes());
        self.tokens.insert(
            token.clone(),
            Token {
                realm: request.realm,
                account: request.account.clone(),
                virtual_account: request.virtual_account.clone(),
                created_ms: now_ms,
                expires_ms,
                max_uses: request.max_uses,
                uses: 0,
                revoked: false,
                description: request.description.clone(),
            },
        );
        TokenReply {
            token,
            realm: request.realm,
            account: request.account.clone(),
            virtual_account: request.virtual_account.clone(),
            expires_ms,
            max_uses: request.max_uses,
        }
    }

    /// Revokes a token; false if there is no such token.
    pub fn revoke_token(&mut self, token: &str) -> bool {
        self.tokens
            .get_mut(token)
            .map(|t| t.revoked = true)
            .is_some()
    }

    /// Sets the purchased count of one pool.
    pub fn set_pool(&mut self, request: &PoolRequest) {
        self.virtual_account_mut(&request.account, &request.virtual_account)
            .pools
            .insert(request.tag.clone(), request.count);
    }

    /// Everything the books hold, for `GET /admin/state` and tests.
    pub fn snapshot(&mut self, now_ms: i64) -> StateSnapshot {
        self.purge(now_ms);
        StateSnapshot {
            now_ms,
            accounts: self.account_snapshots(now_ms),
            tokens: self.token_snapshots(),
            instances: self
                .instances
                .iter()
                .map(|((realm, udi), i)| instance_snapshot(*realm, udi, i, now_ms))
                .collect(),
            counters: self.counter_snapshots(),
        }
    }

    fn counter_snapshots(&self) -> Vec<CountersSnapshot> {
        self.counters
            .iter()
            .map(|((realm, udi), counters)| CountersSnapshot {
                realm: *realm,
                udi: udi.clone(),
                counters: *counters,
            })
            .collect()
    }

    fn account_snapshots(&self, now_ms: i64) -> Vec<AccountSnapshot> {
        let pool = |account: &str, va: &str, tag: &str| {
            let purchased = self.purchased(account, va, tag);
            let in_use = self.in_use(account, va, tag, now_ms);
            PoolSnapshot {
                tag: tag.to_string(),
                purchased,
                in_use,
                balance: purchased - in_use,
            }
        };
        self.accounts
            .iter()
            .map(|(account, vas)| AccountSnapshot {
                name: account.clone(),
                virtual_accounts: vas
                    .iter()
                    .map(|(va, seed)| VirtualAccountSnapshot {
                        name: va.clone(),
                        default_count: seed.default_count,
                        pools: self
                            .tags_in(account, va, seed)
                            .iter()
                            .map(|tag| pool(account, va, tag))
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Tags with a pool or in use in a virtual account.
    fn tags_in(&self, account: &str, va: &str, seed: &VirtualAccountSeed) -> Vec<String> {
        let mut tags: Vec<String> = seed.pools.keys().cloned().collect();
        for i in self.instances.values() {
            if i.account == account && i.virtual_account == va {
                tags.extend(i.usage.keys().cloned());
            }
        }
        tags.sort();
        tags.dedup();
        tags
    }

    fn token_snapshots(&self) -> Vec<TokenSnapshot> {
        self.tokens
            .iter()
            .map(|(token, t)| TokenSnapshot {
                token: token.clone(),
                realm: t.realm,
                account: t.account.clone(),
                virtual_account: t.virtual_account.clone(),
                created_ms: t.created_ms,
                expires_ms: t.expires_ms,
                max_uses: t.max_uses,
                uses: t.uses,
                revoked: t.revoked,
                description: t.description.clone(),
            })
            .collect()
    }
}

/// CAT-1's three forms (docs/troubleshooting.md). Cisco's documents do not say when each appears; the lab
/// answers "Product Already Registered" when the token is from the instance's own virtual
/// account (scenario 1, the common case), and otherwise the consumption form if the instance
/// still consumes licenses, else the sudi form.
fn already_registered(
    existing: &Instance,
    account: &str,
    va: &str,
    udi: &Udi,
    now_ms: i64,
) -> Failure {
    let detail = format!(
        "product instance {} in {}/{}",
        existing.instance_id, existing.account, existing.virtual_account
    );
    let reason = if existing.account == account && existing.virtual_account == va {
        reason::ALREADY_REGISTERED.to_string()
    } else if existing.consumes(now_ms) {
        reason::CONSUMPTION_NO_FORCE.to_string()
    } else {
        reason::already_registered_sudi(udi)
    };
    Failure::new(FailureCode::AlreadyRegistered, reason).with_detail(detail)
}

fn compliance(balance: i64) -> AuthStatus {
    if balance < 0 {
        AuthStatus::OutOfCompliance
    } else {
        AuthStatus::Authorized
    }
}

/// Entitlements by tag, counts of repeated tags added.
fn merge(entitlements: &[Entitlement]) -> BTreeMap<String, u32> {
    let mut usage = BTreeMap::new();
    for e in entitlements {
        *usage.entry(e.tag.clone()).or_insert(0) += e.count;
    }
    usage
}

/// Each tag's count from its latest report.
fn latest_usage(r: &ReportRequest) -> BTreeMap<String, u32> {
    let mut latest: BTreeMap<String, (i64, u32)> = BTreeMap::new();
    for report in &r.reports {
        let entry = latest
            .entry(report.tag.clone())
            .or_insert((report.end_ms, report.count));
        if report.end_ms >= entry.0 {
            *entry = (report.end_ms, report.count);
        }
    }
    latest
        .into_iter()
        .map(|(tag, (_, count))| (tag, count))
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn instance_snapshot(realm: Realm, udi: &Udi, i: &Instance, now_ms: i64) -> InstanceSnapshot {
    InstanceSnapshot {
        realm,
        udi: udi.clone(),
        instance_id: i.instance_id.clone(),
        account: i.account.clone(),
        virtual_account: i.virtual_account.clone(),
        hostname: i.hostname.clone(),
        registered_ms: i.registered_ms,
        id_cert_expires_ms: i.id_cert.as_ref().map(|c| c.expires_ms),
        trust_id: i.trust_id,
        usage: i
            .usage
            .iter()
            .map(|(tag, &count)| Entitlement {
                tag: tag.clone(),
                count,
            })
            .collect(),
        authorized_until_ms: i.usage_ms.map(|at| at + AUTH_MS),
        consuming: i.consumes(now_ms),
    }
}

/// `GET /admin/state`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSnapshot {
    pub now_ms: i64,
    pub accounts: Vec<AccountSnapshot>,
    pub tokens: Vec<TokenSnapshot>,
    pub instances: Vec<InstanceSnapshot>,
    /// Requests received per realm and UDI, including from instances since removed.
    pub counters: Vec<CountersSnapshot>,
}

impl StateSnapshot {
    /// The counters of one UDI in one realm (all zero if it never called).
    pub fn counters(&self, realm: Realm, udi: &Udi) -> Counters {
        self.counters
            .iter()
            .find(|c| c.realm == realm && &c.udi == udi)
            .map(|c| c.counters)
            .unwrap_or_default()
    }

    /// The product instance of one UDI in one realm.
    pub fn instance(&self, realm: Realm, udi: &Udi) -> Option<&InstanceSnapshot> {
        self.instances
            .iter()
            .find(|i| i.realm == realm && &i.udi == udi)
    }

    pub fn token(&self, token: &str) -> Option<&TokenSnapshot> {
        self.tokens.iter().find(|t| t.token == token)
    }

    pub fn pool(&self, account: &str, va: &str, tag: &str) -> Option<&PoolSnapshot> {
        self.accounts
            .iter()
            .find(|a| a.name == account)?
            .virtual_accounts
            .iter()
            .find(|v| v.name == va)?
            .pools
            .iter()
            .find(|p| p.tag == tag)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSnapshot {
    pub name: String,
    pub virtual_accounts: Vec<VirtualAccountSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualAccountSnapshot {
    pub name: String,
    pub default_count: Option<i64>,
    /// Tags with a pool or in use.
    pub pools: Vec<PoolSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSnapshot {
    pub tag: String,
    pub purchased: i64,
    pub in_use: i64,
    /// Negative: out of compliance ([CAT-TS] [NX-TS] [ACI-SL]).
    pub balance: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSnapshot {
    pub token: String,
    pub realm: Realm,
    pub account: String,
    pub virtual_account: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub max_uses: Option<u32>,
    pub uses: u32,
    pub revoked: bool,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSnapshot {
    pub realm: Realm,
    pub udi: Udi,
    pub instance_id: String,
    pub account: String,
    pub virtual_account: String,
    pub hostname: Option<String>,
    pub registered_ms: i64,
    /// Classic registrations only.
    pub id_cert_expires_ms: Option<i64>,
    /// Using Policy trusts only.
    pub trust_id: Option<u64>,
    pub usage: Vec<Entitlement>,
    pub authorized_until_ms: Option<i64>,
    /// Whether its usage still counts against the pools.
    pub consuming: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountersSnapshot {
    pub realm: Realm,
    pub udi: Udi,
    pub counters: Counters,
}

#[cfg(test)]
mod tests;
