//! The licensing logic without HTTP: each rule of docs/troubleshooting.md, [CAT-TS] [NX-TS] [ACI-SL] and [RTR-CMD] [NX-TSFAQ] the books apply.

use super::*;
use crate::backend::protocol::{RumReport, reason};

const NOW: i64 = 1_700_000_000_000;
const ACCOUNT: &str = "Example Account";

fn udi(serial: &str) -> Udi {
    Udi {
        pid: "C9300-48P".into(),
        serial: serial.into(),
    }
}

struct Lab {
    books: Books,
    faults: Faults,
    now: i64,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            books: Books::new(&AccountSeed::lab_default(), Policy::cisco_default(), 3600),
            faults: Faults::default(),
            now: NOW,
        }
    }

    fn token(&mut self, realm: Realm, va: &str, days: u32, max_uses: Option<u32>) -> String {
        let request = TokenRequest {
            realm,
            expires_days: days,
            max_uses,
            ..TokenRequest::new(ACCOUNT, va)
        };
        self.books.mint_token(&request, self.now).token
    }

    fn send(&mut self, realm: Realm, request: Request) -> Response {
        let endpoint = match realm {
            Realm::Cssm => Endpoint::CallHome,
            Realm::Satellite => Endpoint::OnPrem,
        };
        let ctx = Context {
            realm,
            endpoint: &endpoint,
            now_ms: self.now,
            faults: &self.faults,
        };
        self.books.handle(&ctx, &request)
    }

    fn register(&mut self, realm: Realm, serial: &str, token: &str, force: bool) -> Response {
        let request = Request::Register(RegisterRequest {
            udi: udi(serial),
            token: token.into(),
            force,
            device_time_ms: self.now,
            hostname: None,
        });
        self.send(realm, request)
    }

    fn registered(&mut self, serial: &str, token: &str) -> RegisterReply {
        match self.register(Realm::Cssm, serial, token, false) {
            Response::Ok(Success::Register(reply)) => reply,
            other => panic!("registration failed: {other:?}"),
        }
    }

    fn authorize(&mut self, serial: &str, reg: &RegisterReply, uses: &[(&str, u32)]) -> Response {
        let request = Request::Authorize(AuthorizeRequest {
            udi: udi(serial),
            instance_id: reg.instance_id.clone(),
            id_cert_serial: reg.id_cert.serial.clone(),
            entitlements: uses
                .iter()
                .map(|(tag, count)| Entitlement {
                    tag: tag.to_string(),
                    count: *count,
                })
                .collect(),
            device_time_ms: self.now,
        });
        self.send(Realm::Cssm, request)
    }
}

fn failure(response: Response) -> Failure {
    match response {
        Response::Failed(failure) => failure,
        Response::Ok(success) => panic!("expected a failure, got {success:?}"),
    }
}

fn status(response: Response) -> AuthStatus {
    match response {
        Response::Ok(Success::Authorize(reply)) => reply.status,
        other => panic!("expected an authorization, got {other:?}"),
    }
}

#[test]
fn registration_issues_a_one_year_id_certificate() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let reply = lab.registered("A1", &token);
    assert_eq!(reply.smart_account, ACCOUNT);
    assert_eq!(reply.virtual_account, "Default");
    assert_eq!(
        reply.id_cert.expires_ms - reply.id_cert.issued_ms,
        365 * DAY_MS
    );
    let snapshot = lab.books.snapshot(lab.now);
    assert_eq!(snapshot.counters(Realm::Cssm, &udi("A1")).registrations, 1);
    assert_eq!(snapshot.token(&token).unwrap().uses, 1);
    assert!(snapshot.instance(Realm::Cssm, &udi("A1")).is_some());
}

#[test]
fn registering_again_needs_force_and_does_not_use_the_token() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let first = lab.registered("A1", &token);
    let again = failure(lab.register(Realm::Cssm, "A1", &token, false));
    assert_eq!(again.reason, reason::ALREADY_REGISTERED);
    assert_eq!(again.code, FailureCode::AlreadyRegistered);
    let snapshot = lab.books.snapshot(lab.now);
    assert_eq!(snapshot.token(&token).unwrap().uses, 1);
    let counters = snapshot.counters(Realm::Cssm, &udi("A1"));
    assert_eq!((counters.register_requests, counters.registrations), (2, 1));

    let Response::Ok(Success::Register(forced)) = lab.register(Realm::Cssm, "A1", &token, true)
    else {
        panic!("force must re-register");
    };
    assert_ne!(forced.instance_id, first.instance_id);
    assert_eq!(lab.books.snapshot(lab.now).token(&token).unwrap().uses, 2);
}

#[test]
fn cat1_other_forms_depend_on_the_token_va_and_consumption() {
    let mut lab = Lab::new();
    let default = lab.token(Realm::Cssm, "Default", 30, None);
    let other = lab.token(Realm::Cssm, "Empty", 30, None);
    let reg = lab.registered("A1", &default);
    let sudi = failure(lab.register(Realm::Cssm, "A1", &other, false));
    assert_eq!(sudi.reason, reason::already_registered_sudi(&udi("A1")));
    assert_eq!(
        status(lab.authorize("A1", &reg, &[("dna-advantage", 1)])),
        AuthStatus::Authorized
    );
    let consuming = failure(lab.register(Realm::Cssm, "A1", &other, false));
    assert_eq!(consuming.reason, reason::CONSUMPTION_NO_FORCE);
}

#[test]
fn bad_tokens_fail_with_cat2_and_say_why() {
    let mut lab = Lab::new();
    let expired = lab.token(Realm::Cssm, "Default", 1, None);
    let once = lab.token(Realm::Cssm, "Default", 30, Some(1));
    let revoked = lab.token(Realm::Cssm, "Default", 30, None);
    let satellite = lab.token(Realm::Satellite, "Default", 30, None);
    assert!(lab.books.revoke_token(&revoked));
    lab.registered("A1", &once);
    lab.now += 2 * DAY_MS;
    let cases = [
        (expired.as_str(), FailureCode::TokenExpired),
        (once.as_str(), FailureCode::TokenUsedUp),
        (revoked.as_str(), FailureCode::TokenRevoked),
        (satellite.as_str(), FailureCode::TokenWrongBackend),
        ("bogus", FailureCode::TokenUnknown),
    ];
    for (token, code) in cases {
        let f = failure(lab.register(Realm::Cssm, "B2", token, false));
        assert_eq!(
            (f.code, f.reason.as_str()),
            (code, reason::TRY_AGAIN),
            "{token}"
        );
    }
    // And a CSSM token against the satellite ([CAT-TS] [NX-TS] [ACI-SL], ACI-4).
    let cssm = lab.token(Realm::Cssm, "Default", 30, None);
    let f = failure(lab.register(Realm::Satellite, "B2", &cssm, false));
    assert_eq!(f.code, FailureCode::TokenWrongBackend);
}

#[test]
fn clock_skew_beyond_tolerance_fails_with_the_cat3_json() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let device = NOW - 200 * DAY_MS;
    let request = Request::Register(RegisterRequest {
        udi: udi("A1"),
        token: token.clone(),
        force: false,
        device_time_ms: device,
        hostname: None,
    });
    let f = failure(lab.send(Realm::Cssm, request));
    assert_eq!(f.code, FailureCode::ClockSkew);
    assert_eq!(
        f.reason,
        format!(
            "{{\"timestamp\": [\"The device date '{device}' is offset beyond the allowed tolerance limit.\"]}}"
        )
    );
    // Within the tolerance is fine.
    let request = Request::Register(RegisterRequest {
        udi: udi("A1"),
        token,
        force: false,
        device_time_ms: NOW - 3_000_000,
        hostname: None,
    });
    assert!(matches!(lab.send(Realm::Cssm, request), Response::Ok(_)));
}

#[test]
fn a_pool_running_out_puts_instances_out_of_compliance_until_licenses_are_added() {
    let mut lab = Lab::new();
    lab.books.set_pool(&PoolRequest {
        account: ACCOUNT.into(),
        virtual_account: "Default".into(),
        tag: "network-advantage".into(),
        count: 1,
    });
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let a = lab.registered("A1", &token);
    let b = lab.registered("B2", &token);
    let uses = [("network-advantage", 1)];
    assert_eq!(
        status(lab.authorize("A1", &a, &uses)),
        AuthStatus::Authorized
    );
    assert_eq!(
        status(lab.authorize("B2", &b, &uses)),
        AuthStatus::OutOfCompliance
    );
    let pool = lab.books.snapshot(lab.now);
    let pool = pool.pool(ACCOUNT, "Default", "network-advantage").unwrap();
    assert_eq!((pool.purchased, pool.in_use, pool.balance), (1, 2, -1));

    lab.books.set_pool(&PoolRequest {
        account: ACCOUNT.into(),
        virtual_account: "Default".into(),
        tag: "network-advantage".into(),
        count: 2,
    });
    assert_eq!(
        status(lab.authorize("B2", &b, &uses)),
        AuthStatus::Authorized
    );
}

#[test]
fn an_empty_virtual_account_is_out_of_compliance_at_once() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Empty", 30, None);
    let reg = lab.registered("A1", &token);
    // docs/troubleshooting.md CAT-8: a token from a VA without licenses.
    assert_eq!(
        status(lab.authorize("A1", &reg, &[("dna-essentials", 1)])),
        AuthStatus::OutOfCompliance
    );
}

#[test]
fn licenses_return_to_the_pool_after_90_days_without_communication() {
    let mut lab = Lab::new();
    lab.books.set_pool(&PoolRequest {
        account: ACCOUNT.into(),
        virtual_account: "Default".into(),
        tag: "t".into(),
        count: 1,
    });
    let token = lab.token(Realm::Cssm, "Default", 365, None);
    let a = lab.registered("A1", &token);
    let b = lab.registered("B2", &token);
    assert_eq!(
        status(lab.authorize("A1", &a, &[("t", 1)])),
        AuthStatus::Authorized
    );
    lab.now += 91 * DAY_MS;
    assert_eq!(
        status(lab.authorize("B2", &b, &[("t", 1)])),
        AuthStatus::Authorized
    );
}

#[test]
fn renewal_deregistration_and_identity_checks() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let reg = lab.registered("A1", &token);
    let instance = |reg: &RegisterReply, serial: &str| InstanceRequest {
        udi: udi("A1"),
        instance_id: reg.instance_id.clone(),
        id_cert_serial: serial.into(),
        device_time_ms: NOW,
    };
    let wrong = failure(lab.send(Realm::Cssm, Request::RenewId(instance(&reg, "nope"))));
    assert_eq!(wrong.reason, reason::SIGNATURE_MISMATCH);
    let Response::Ok(Success::RenewId(renewed)) = lab.send(
        Realm::Cssm,
        Request::RenewId(instance(&reg, &reg.id_cert.serial)),
    ) else {
        panic!("renewal failed");
    };
    assert_ne!(renewed.id_cert.serial, reg.id_cert.serial);
    let done = lab.send(
        Realm::Cssm,
        Request::Deregister(instance(&reg, &renewed.id_cert.serial)),
    );
    assert!(matches!(done, Response::Ok(Success::Deregister(_))));
    let gone = failure(lab.send(
        Realm::Cssm,
        Request::Deregister(instance(&reg, &renewed.id_cert.serial)),
    ));
    assert_eq!(gone.code, FailureCode::UnknownInstance);
    assert_eq!(gone.reason, reason::identity_not_valid(&reg.instance_id));
}

#[test]
fn an_instance_disappears_a_year_after_its_last_id_renewal() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let reg = lab.registered("A1", &token);
    lab.now += 366 * DAY_MS;
    let f = failure(lab.authorize("A1", &reg, &[]));
    assert_eq!(f.code, FailureCode::UnknownInstance);
    assert!(lab.books.snapshot(lab.now).instances.is_empty());
}

#[test]
fn faults_change_the_answers() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let reg = lab.registered("A1", &token);
    lab.faults.signature_mismatch = true;
    // CAT-9 is a renewal failure: the first authorization still succeeds.
    assert_eq!(
        status(lab.authorize("A1", &reg, &[("t", 1)])),
        AuthStatus::Authorized
    );
    let f = failure(lab.authorize("A1", &reg, &[("t", 1)]));
    assert_eq!(f.reason, reason::SIGNATURE_MISMATCH);
    // The remedy of CAT-9: a forced registration later makes an instance in sync.
    lab.now += 1000;
    let again = lab.token(Realm::Cssm, "Default", 30, None);
    let reg = match lab.register(Realm::Cssm, "A1", &again, true) {
        Response::Ok(Success::Register(r)) => r,
        other => panic!("{other:?}"),
    };
    for _ in 0..2 {
        assert_eq!(
            status(lab.authorize("A1", &reg, &[("t", 1)])),
            AuthStatus::Authorized
        );
    }
    lab.faults.signature_mismatch = false;

    lab.faults.try_again = true;
    let f = failure(lab.register(Realm::Cssm, "B2", &token, false));
    assert_eq!(
        (f.code, f.reason.as_str()),
        (FailureCode::TryAgain, reason::TRY_AGAIN)
    );

    lab.faults = Faults {
        satellite_cert_expired: true,
        ..Faults::default()
    };
    let sat = lab.token(Realm::Satellite, "Default", 30, None);
    let f = failure(lab.register(Realm::Satellite, "B2", &sat, false));
    assert_eq!(f.reason, reason::INVALID_DATA);
    assert_eq!(f.detail.as_deref(), Some("LS_INVALID_DATA"));
    assert!(matches!(
        lab.register(Realm::Cssm, "B2", &token, false),
        Response::Ok(_)
    ));
}

#[test]
fn trust_and_reports_under_using_policy() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let trust = |force| {
        Request::Trust(TrustRequest {
            udi: udi("A1"),
            token: token.clone(),
            force,
            device_time_ms: NOW,
            hostname: Some("edge-1".into()),
        })
    };
    let Response::Ok(Success::Trust(trusted)) = lab.send(Realm::Cssm, trust(false)) else {
        panic!("trust failed");
    };
    assert_eq!(trusted.policy, Policy::cisco_default());
    assert_eq!(trusted.ack_ms, NOW);
    let again = failure(lab.send(Realm::Cssm, trust(false)));
    assert_eq!(again.code, FailureCode::AlreadyRegistered);

    let report = |instance_id: Option<String>| {
        Request::Report(ReportRequest {
            udi: udi("A1"),
            instance_id,
            reports: vec![RumReport {
                report_id: 1634211151,
                tag: "dna-advantage".into(),
                count: 1,
                start_ms: NOW - 1000,
                end_ms: NOW,
            }],
            device_time_ms: NOW,
        })
    };
    let Response::Ok(Success::Report(ack)) =
        lab.send(Realm::Cssm, report(Some(trusted.instance_id.clone())))
    else {
        panic!("report failed");
    };
    assert_eq!(ack.acked, vec![1634211151]);
    let untrusted = failure(lab.send(Realm::Cssm, report(None)));
    assert_eq!(untrusted.code, FailureCode::UnknownInstance);
    let counters = lab
        .books
        .snapshot(lab.now)
        .counters(Realm::Cssm, &udi("A1"));
    assert_eq!(
        (counters.trust_requests, counters.trusts, counters.reports),
        (2, 1, 1)
    );
}

#[test]
fn cslu_takes_reports_without_trust() {
    let mut books = Books::new(&[], Policy::cisco_default(), 3600);
    let endpoint = Endpoint::Cslu {
        account: Some("Example Account".into()),
    };
    let ctx = Context {
        realm: Realm::Satellite,
        endpoint: &endpoint,
        now_ms: NOW,
        faults: &Faults::default(),
    };
    let request = Request::Report(ReportRequest {
        udi: udi("A1"),
        instance_id: None,
        reports: vec![],
        device_time_ms: NOW,
    });
    assert!(matches!(
        books.handle(&ctx, &request),
        Response::Ok(Success::Report(_))
    ));
}

#[test]
fn tokens_look_like_base64() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    assert_eq!(base64(b"M"), "TQ==");
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    assert!(token.len() > 40 && token.is_ascii());
}

#[test]
fn saved_books_resume_with_their_instances_tokens_and_counters() {
    let mut lab = Lab::new();
    let token = lab.token(Realm::Cssm, "Default", 30, None);
    let short = lab.token(Realm::Cssm, "Default", 1, None);
    let unused = lab.token(Realm::Cssm, "Default", 30, None);
    let reg = lab.registered("A1", &token);
    lab.registered("C3", &short);
    assert_eq!(
        status(lab.authorize("A1", &reg, &[("dna-advantage", 1)])),
        AuthStatus::Authorized
    );
    lab.books.set_pool(&PoolRequest {
        account: ACCOUNT.into(),
        virtual_account: "Extra".into(),
        tag: "dna-advantage".into(),
        count: 5,
    });
    lab.now += 2 * DAY_MS;
    let saved = lab.books.saved(lab.now);
    let text = serde_json::to_string(&saved).unwrap();
    let back: SavedBooks = serde_json::from_str(&text).unwrap();
    assert_eq!(back, saved);
    assert_eq!(back.instance_udis(Realm::Cssm), [&udi("A1"), &udi("C3")]);

    // A new back-end (the next run) whose configuration changed the Default VA.
    let mut seeds = AccountSeed::lab_default();
    seeds[0].virtual_accounts[0].default_count = Some(7);
    let before = lab.books.snapshot(lab.now);
    lab.books = Books::new(&seeds, Policy::cisco_default(), 3600);
    lab.books.resume(back);
    let after = lab.books.snapshot(lab.now);
    assert_eq!(after.instances, before.instances);
    assert_eq!(after.counters, before.counters);
    assert_eq!(after.token(&token).unwrap().uses, 1);
    assert!(after.token(&short).is_none(), "expired tokens are not kept");
    assert!(after.token(&unused).is_none(), "nor those no device used");
    // Saved pools stay; the configuration wins for what it names.
    assert_eq!(
        after
            .pool(ACCOUNT, "Extra", "dna-advantage")
            .unwrap()
            .purchased,
        5
    );
    let default = after.accounts[0]
        .virtual_accounts
        .iter()
        .find(|v| v.name == "Default")
        .unwrap();
    assert_eq!(default.default_count, Some(7));
    // The device's renewal is recognised (same instance, same ID certificate serial),
    // and registering again still needs force.
    assert_eq!(
        status(lab.authorize("A1", &reg, &[("dna-advantage", 1)])),
        AuthStatus::Authorized
    );
    let again = failure(lab.register(Realm::Cssm, "A1", &token, false));
    assert_eq!(again.code, FailureCode::AlreadyRegistered);
    // Instance ids and serials keep counting from where they were: no collision.
    let other = lab.registered("B2", &token);
    assert_ne!(other.instance_id, reg.instance_id);

    // A device back to factory state is forgotten.
    let mut saved = lab.books.saved(lab.now);
    saved.forget(&udi("A1"));
    assert_eq!(saved.instance_udis(Realm::Cssm), [&udi("B2"), &udi("C3")]);
}
