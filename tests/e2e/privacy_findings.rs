//! The findings of issue 13, each by behaviour on the real Worker: what an erasure leaves, what
//! D1 holds while an email waits, which pages may be framed, where links point, how often a
//! booking page asks the calendar provider, and the smaller ones (names, calendar links,
//! cookies, an expired link's page, a replayed booking request). Tests that check a PRIVACY.md
//! claim name it (`/// [Pn]`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::privacy::{book, d1_rows, host};
use crate::privacy_rights::confirm_path;
use crate::support::browser::Browser;
use crate::support::http::{get, get_with, post_form, post_json, request, send_from, Reply};
use crate::support::log_scan::remember;
use crate::support::mail::{fail_emails_sent_to, wait_for_emails};
use crate::support::seed::sql;
use crate::support::world::{repo_root, world, TEST_EMBED_ORIGIN};
use crate::support::SeededHost;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "__Host-openslot_session";

/// A browser signed in as the seeded `host` (a session row written straight to D1).
pub(crate) fn session_of(host: &SeededHost) -> Browser {
    let id = openslot::crypto::random_hex::<32>();
    sql(&format!(
        "INSERT INTO sessions (id_hash, host_id, csrf_secret, created_at, expires_at) \
         VALUES ('{}', '{}', lower(hex(randomblob(32))), 0, 4000000000)",
        openslot::crypto::digest::sha256_hex(&id),
        host.id
    ));
    let browser = Browser::new();
    browser.set_cookie(SESSION_COOKIE, Some(&id));
    browser
}

/// Gives the seeded host's `call` the questions `labels` (none required).
pub(crate) fn ask(host: &SeededHost, labels: &[&str]) {
    let questions: Vec<Value> = labels
        .iter()
        .map(|label| json!({ "label": label, "required": false }))
        .collect();
    sql(&format!(
        "UPDATE event_types SET questions = '{}' WHERE host_id = '{}'",
        Value::from(questions).to_string().replace('\'', "''"),
        host.id
    ));
}

/// Books the seeded host's `call` `days` from now at `hour` UTC with `answers` by label.
pub(crate) fn book_with(
    host: &SeededHost,
    days: u64,
    hour: u32,
    name: &str,
    email: &str,
    note: &str,
    answers: Value,
) -> Value {
    remember(name);
    remember(email);
    let start = format!(
        "{}T{hour:02}:00:00Z",
        chrono::Utc::now().date_naive() + chrono::Days::new(days)
    );
    let reply = post_json(
        "/api/v1/bookings",
        &json!({ "host": host.slug, "event": "call", "start": start, "name": name,
                 "email": email, "time_zone": "Asia/Tokyo", "note": note, "answers": answers }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["booking"].clone()
}

/// Asks for and confirms the erasure of `email` through the public form and the link.
pub(crate) fn erase(email: &str) {
    assert_eq!(post_form("/privacy/erase", &[("email", email)]).status, 200);
    let path = confirm_path(&wait_for_emails(email, "Confirm the erasure", 1)[0]);
    let done = post_form(&path, &[]);
    assert_eq!(done.status, 200, "{}", done.body);
}

/// [P20] Erasing an invitee erases their answers to the host's questions too: the host's API,
/// the export and the booking's own page no longer show them, and no D1 row holds them.
#[test]
fn an_erasure_takes_the_answers_with_it() {
    let host = host("Answer Eraser");
    ask(&host, &["Favourite colour"]);
    let invitee = "ada.answers@example.com";
    let marker = "vermilion-answer-p20";
    let booking = book_with(
        &host,
        3,
        9,
        "Ada Answerer",
        invitee,
        "",
        json!({ "Favourite colour": marker }),
    );
    let id = booking["id"].as_str().unwrap();
    let manage_url = booking["manage_url"].as_str().unwrap();
    let browser = session_of(&host);
    let api = format!("/api/v1/bookings/{id}");
    assert!(browser.get(&api).body.contains(marker), "seen before");

    erase(invitee);

    let read = browser.get(&api);
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(!read.body.contains(marker), "{}", read.body);
    assert_eq!(read.json()["answers"], json!([]));
    let export = browser.get("/dashboard/export");
    assert_eq!(export.status, 200);
    assert!(!export.body.contains(marker), "{}", export.body);
    assert!(!get(manage_url).body.contains(marker));
    let left: Vec<_> = d1_rows()
        .into_iter()
        .filter(|(_, row)| row.contains(marker))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The `/{path}/{token}` tokens after `path` in `text`, `len` characters of `alphabet` each.
fn tokens_after(text: &str, path: &str, len: usize, alphabet: fn(char) -> bool) -> Vec<String> {
    text.match_indices(path)
        .map(|(at, _)| {
            text[at + path.len()..]
                .chars()
                .take_while(|c| alphabet(*c))
                .collect::<String>()
        })
        .filter(|token| token.len() == len)
        .collect()
}

fn base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// [P2] While an email waits in the outbox (here: the email API is failing), D1 holds no
/// usable manage-link or privacy-link token: the links are completed only as the email
/// leaves. The emails that do leave carry the working links.
#[test]
fn waiting_emails_hold_no_usable_link_token() {
    let host = host("Waiting Mail");
    let invitee = "walt.waiting.p2@example.com";
    fail_emails_sent_to(invitee, 503, 3);
    let booking = book(&host, 10, "Walt Waiting", invitee);
    let manage_url = booking["manage_url"].as_str().unwrap();
    let token = manage_url.rsplit('/').next().unwrap();
    let privacy_invitee = "pia.pending.p2@example.com";
    book(&host, 12, "Pia Pending", privacy_invitee);
    wait_for_emails(privacy_invitee, "", 1);
    fail_emails_sent_to(privacy_invitee, 503, 3);
    assert_eq!(
        post_form("/privacy/erase", &[("email", privacy_invitee)]).status,
        200
    );
    // Let the first send attempts fail, so the rows wait with their payloads.
    std::thread::sleep(Duration::from_secs(2));

    let waiting = sql(&format!(
        "SELECT payload FROM email_outbox WHERE booking_id = '{}' AND payload IS NOT NULL",
        booking["id"].as_str().unwrap()
    ));
    assert!(!waiting.is_empty(), "the invitee's email waits");
    let rows = d1_rows();
    let everything: String = rows.iter().map(|(_, row)| row.as_str()).collect();
    assert!(
        !everything.contains(token),
        "the manage token is in D1: {:?}",
        rows.iter()
            .filter(|(_, r)| r.contains(token))
            .collect::<Vec<_>>()
    );
    // Whatever stands where a link's token would be in a waiting payload opens nothing.
    for found in tokens_after(&everything, "/booking/", 43, base64url) {
        let hash = openslot::crypto::digest::sha256_hex(&found);
        assert!(
            sql(&format!(
                "SELECT id FROM bookings WHERE manage_token_hash = '{hash}'"
            ))
            .is_empty(),
            "a usable manage token is in D1"
        );
    }
    // The privacy email waits sealed; opened (as the operator could), it holds no token either.
    let notices = crate::support::sealed::waiting_notices();
    assert!(
        notices
            .iter()
            .any(|payload| payload.contains(privacy_invitee)),
        "the privacy link's email waits"
    );
    let everything = format!("{everything}{}", notices.join("\n"));
    for found in tokens_after(&everything, "/privacy/confirm/", 64, |c| {
        c.is_ascii_hexdigit()
    }) {
        let hash = openslot::crypto::digest::sha256_hex(&found);
        assert!(
            sql(&format!(
                "SELECT kind FROM privacy_requests WHERE token_hash = '{hash}'"
            ))
            .is_empty(),
            "a usable privacy token is in D1"
        );
    }

    // An email that leaves carries the real, working link.
    let other = "olga.outbox.p2@example.com";
    let booked = book(&host, 14, "Olga Outbox", other);
    let email = &wait_for_emails(other, "", 1)[0];
    let url = booked["manage_url"].as_str().unwrap();
    assert!(email["text"].as_str().unwrap().contains(url), "{email}");
    assert!(email["html"].as_str().unwrap().contains(url), "{email}");
    let (_, ics) = crate::support::mail::ics_attachment(email);
    assert!(ics.replace("\r\n ", "").contains(url), "{ics}");
    let erasure = "ezra.erasure.p2@example.com";
    book(&host, 16, "Ezra Erasure", erasure);
    erase(erasure);
}

/// Every page address the Worker answers and its methods, from `PAGE_ROUTES` and `API_ROUTES`
/// in src/http/mod.rs (the table `allowed_methods` answers 405s from), with `{…}` parameters.
fn route_table() -> Vec<(String, Vec<String>, bool)> {
    let source =
        std::fs::read_to_string(crate::support::world::repo_root().join("src/http/mod.rs"))
            .unwrap();
    let mut routes = Vec::new();
    for table in ["const PAGE_ROUTES", "const API_ROUTES"] {
        let start = source
            .find(table)
            .unwrap_or_else(|| panic!("src/http/mod.rs declares {table}"));
        let block = &source[start..];
        let block = &block[..block.find("];").expect("the table ends")];
        for line in block
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("(\"/"))
        {
            let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            let methods = quoted[1].split(',').map(|m| m.trim().to_owned()).collect();
            routes.push((
                quoted[0].to_owned(),
                methods,
                line.contains("Framing::Embeddable"),
            ));
        }
    }
    routes
}

/// Whether a response may be framed by the suite's embedding origin (and then only by it), or
/// is refused to all; `Err` says what is wrong with its headers.
fn framing_of(reply: &Reply) -> Result<bool, String> {
    let csp = reply.header("content-security-policy").unwrap_or_default();
    let deny = reply.header("x-frame-options");
    if csp.contains(&format!("frame-ancestors {TEST_EMBED_ORIGIN}")) && deny.is_none() {
        Ok(true)
    } else if csp.contains("frame-ancestors 'none'") && deny == Some("DENY") {
        Ok(false)
    } else {
        Err(format!(
            "status {}, CSP {csp:?}, X-Frame-Options {deny:?}",
            reply.status
        ))
    }
}

/// With `EMBED_ALLOWED_ORIGINS` set, only the booking flow (the booking page, its form post and
/// the confirmation it leads to) may be framed by those origins; every other route of the
/// Worker, walked from its route table, refuses framing, whatever its answer.
#[test]
fn only_the_booking_flow_may_be_framed() {
    let host = host("Frame Walker");
    let booking = book(&host, 11, "Fran Framed", "fran.framed@example.com");
    let token = booking["manage_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let browser = session_of(&host);
    // The dashboard pages a signed-in host sees, by path, as the issue found them framable.
    for path in [
        "/dashboard/profile",
        "/dashboard/bookings",
        "/dashboard/api-tokens",
        "/dashboard/connections",
        "/dashboard/privacy",
        "/dashboard/export",
        "/auth/signin",
    ] {
        let reply = browser.get(path);
        assert_eq!(framing_of(&reply), Ok(false), "{path} may be framed");
    }
    let cookie = format!(
        "{SESSION_COOKIE}={}",
        browser.cookie(SESSION_COOKIE).unwrap()
    );
    let table = route_table();
    assert!(table.len() > 40, "{table:?}");
    let mut embeddable = Vec::new();
    for (template, methods, marked) in table {
        let path: String = template
            .split('/')
            .map(|part| match part {
                "{host}" => host.slug.clone(),
                "{event}" => "call".to_owned(),
                "{token}" => token.clone(),
                p if p.starts_with('{') => "x1".to_owned(),
                p => p.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in methods {
            let headers = [("Cookie", cookie.as_str())];
            let body = match method.as_str() {
                "GET" | "HEAD" | "DELETE" => None,
                _ => Some(("application/x-www-form-urlencoded", "")),
            };
            let reply = request(&method, &path, &headers, body);
            let framable = framing_of(&reply)
                .unwrap_or_else(|problem| panic!("{method} {template}: {problem}"));
            assert_eq!(
                framable, marked,
                "{method} {template} ({}): framing",
                reply.status
            );
            if framable {
                embeddable.push(format!("{method} {template}"));
            }
        }
    }
    embeddable.sort();
    embeddable.dedup();
    assert_eq!(
        embeddable,
        vec![
            "GET /booking/{token}",
            "GET /{host}/{event}",
            "HEAD /booking/{token}",
            "HEAD /{host}/{event}",
            "POST /{host}/{event}",
        ],
    );
}

/// Without `PUBLIC_BASE_URL` an instance answers with a page naming the setting instead of
/// building links from whatever `Host` a request claims; only an instance marked as local
/// development (`LOCAL_DEVELOPMENT`) takes the request's origin.
#[test]
fn links_never_follow_the_host_header_outside_local_development() {
    use crate::support::other_worker::OtherWorker;
    let unset = OtherWorker::start("no-base-url", &["PUBLIC_BASE_URL:"]);
    for path in ["/privacy", "/auth/signin", "/auth/google/start"] {
        let reply = get_with(
            &format!("{}{path}", unset.base_url),
            &[("Host", "attacker.example")],
        );
        assert_eq!(reply.status, 500, "{path}: {}", reply.body);
        assert!(reply.body.contains("PUBLIC_BASE_URL"), "{}", reply.body);
        assert!(!reply.body.contains("attacker.example"), "{}", reply.body);
    }
    let api = get(&format!("{}/api/v1/slots?host=a&event=b", unset.base_url));
    assert_eq!(api.status, 500, "{}", api.body);
    assert_eq!(api.json()["error"]["code"], "misconfigured");
    assert!(api.body.contains("PUBLIC_BASE_URL"), "{}", api.body);
    assert_eq!(get(&format!("{}/healthz", unset.base_url)).status, 200);
    drop(unset);

    let local = OtherWorker::start("local-dev", &["PUBLIC_BASE_URL:", "LOCAL_DEVELOPMENT:true"]);
    let signin = get(&format!("{}/auth/google/start", local.base_url));
    assert_eq!(signin.status, 302, "{}", signin.body);
    let to = signin.header("location").unwrap();
    let redirect_uri = crate::sign_in::query_value(to, "redirect_uri").unwrap();
    assert_eq!(
        redirect_uri,
        format!("{}/auth/google/callback", local.base_url)
    );
}

/// How many freeBusy calls the fake has answered for `account`.
fn free_busy_calls(account: &str) -> usize {
    get(&format!("{}/_fake/requests", world().fakes_url))
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap_or("").ends_with("/freeBusy"))
        .filter(|r| r["account"] == account)
        .count()
}

/// The HTML booking page spends the same per-client budget as the slots API (then a clear 429
/// page), and however many people view it, the host's calendar is asked at most once every
/// few seconds for the same days.
#[test]
fn booking_page_views_are_rate_limited_and_read_the_calendar_sparingly() {
    let calendar = crate::calendars::calendar_host("Viewed Often", "none", &["google"]);
    let page = format!("/{}/call", calendar.host.slug);
    let before = free_busy_calls(&calendar.email);
    let started = Instant::now();
    for _ in 0..25 {
        let view = get(&page);
        assert_eq!(view.status, 200, "{}", view.body);
    }
    let seconds = started.elapsed().as_secs() as usize;
    let calls = free_busy_calls(&calendar.email) - before;
    assert!(
        calls <= 1 + seconds / 5 + 1,
        "{calls} freeBusy calls for 25 views in {seconds} s"
    );

    // A burst from one client, from several threads so it fits in the limiter's minute: the
    // budget is 300 a minute in a fixed window, so at most twice that is needed.
    let client = "198.51.100.77";
    let refused: std::sync::Mutex<Option<Reply>> = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..75 {
                    if refused.lock().unwrap().is_some() {
                        return;
                    }
                    let reply = send_from(client, "GET", &page, "text/plain", "");
                    if reply.status == 429 {
                        *refused.lock().unwrap() = Some(reply);
                        return;
                    }
                    assert_eq!(reply.status, 200, "{}", reply.body);
                }
            });
        }
    });
    let refusal = refused
        .into_inner()
        .unwrap()
        .expect("a client over budget is refused");
    assert_eq!(refusal.header("retry-after"), Some("60"));
    assert!(
        refusal
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "a page"
    );
    assert!(
        refusal.body.contains("Too many requests"),
        "{}",
        refusal.body
    );
    // Another client still gets the page.
    assert_eq!(get(&page).status, 200);
}

/// Names with bidirectional-override or zero-width characters are refused with a message on
/// the field: they could make a host's email subject or calendar entry read differently.
#[test]
fn names_with_bidi_overrides_or_zero_width_characters_are_refused() {
    let host = host("Bidi Guard");
    let start = format!(
        "{}T09:00:00Z",
        chrono::Utc::now().date_naive() + chrono::Days::new(5)
    );
    for name in [
        "Bob \u{202e}gnp.exe\u{202c}",
        "Eve\u{200b}lyn",
        "Ma\u{2067}x\u{2069}",
        "\u{feff}Zoe",
    ] {
        let reply = post_json(
            "/api/v1/bookings",
            &json!({ "host": host.slug, "event": "call", "start": start, "name": name,
                     "email": "bidi@example.com", "time_zone": "UTC" }),
        );
        assert_eq!(reply.status, 422, "{name:?}: {}", reply.body);
        let message = reply.json()["error"]["fields"]["name"].clone();
        assert!(
            message.as_str().unwrap_or("").contains("invisible"),
            "{message}"
        );
    }
    let form = post_form(
        &format!("/{}/call?slot={start}", host.slug),
        &[
            ("slot", start.as_str()),
            ("name", "Bob \u{202e}gnp.exe\u{202c}"),
            ("email", "bidi@example.com"),
            ("idempotency_key", "bidi-form-key-0000000001"),
        ],
    );
    assert_eq!(form.status, 422, "{}", form.body);
    assert!(form.body.contains("invisible"), "{}", form.body);
}

/// "Add to Google Calendar / Outlook" links carry the meeting's time and title to the
/// provider, never the manage link (which would let the provider act on the booking).
#[test]
fn add_to_calendar_links_do_not_carry_the_manage_link() {
    let host = host("Calendar Links");
    let booking = book(&host, 13, "Cal Linker", "cal.linker@example.com");
    let url = booking["manage_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let page = get(url);
    assert_eq!(page.status, 200);
    let mut third_party = 0;
    for (at, _) in page.body.match_indices("href=\"https://") {
        let href: String = page.body[at + 6..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        third_party += 1;
        assert!(!href.contains(token), "{href}");
        assert!(!href.contains("booking%2F"), "{href}");
    }
    assert!(third_party >= 2, "{}", page.body);
}

/// An expired privacy link's page says the link expired, not that a booking can no longer be
/// changed.
#[test]
fn an_expired_privacy_link_has_its_own_title() {
    let host = host("Expired Title");
    let email = format!("{}@example.com", host.slug);
    assert_eq!(
        post_form("/privacy/delete", &[("email", &email)]).status,
        200
    );
    let path = confirm_path(&wait_for_emails(&email, "Confirm the deletion", 1)[0]);
    sql(&format!(
        "UPDATE privacy_requests SET created_at = 1, expires_at = 2 WHERE host_id = '{}'",
        host.id
    ));
    let page = get(&path);
    assert_eq!(page.status, 409, "{}", page.body);
    let title = &page.body[page.body.find("<title>").unwrap()..page.body.find("</title>").unwrap()];
    assert!(title.contains("This link has expired"), "{title}");
    assert!(
        !page.body.contains("can no longer be changed"),
        "{}",
        page.body
    );
}

/// Sending a booking request again with its idempotency key, address and start gets the same
/// booking back but not its manage link: that goes only to the invitee's address (and to the
/// first answer), so whoever learns a request's key cannot take over the booking.
#[test]
fn a_replayed_booking_request_does_not_hand_out_the_manage_link() {
    let host = host("Replay Guard");
    let start = format!(
        "{}T15:00:00Z",
        chrono::Utc::now().date_naive() + chrono::Days::new(6)
    );
    let body = json!({ "host": host.slug, "event": "call", "start": start, "name": "Rita Replay",
                       "email": "rita.replay@example.com", "time_zone": "UTC",
                       "idempotency_key": "replay-guard-key-000000000001" });
    remember("Rita Replay");
    let first = post_json("/api/v1/bookings", &body);
    assert_eq!(first.status, 201, "{}", first.body);
    let token = first.json()["booking"]["manage_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let again = post_json("/api/v1/bookings", &body);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["booking"]["id"], first.json()["booking"]["id"]);
    assert!(
        again.json()["booking"]["manage_url"].is_null(),
        "{}",
        again.body
    );
    assert!(!again.body.contains(&token), "{}", again.body);

    // The form's double submit does not redirect to the booking's page either.
    let slot = format!(
        "{}T16:00:00Z",
        chrono::Utc::now().date_naive() + chrono::Days::new(6)
    );
    let fields = [
        ("slot", slot.as_str()),
        ("name", "Rita Replay"),
        ("email", "rita.replay@example.com"),
        ("idempotency_key", "replay-guard-form-key-000000001"),
    ];
    let path = format!("/{}/call?slot={slot}", host.slug);
    let first = post_form(&path, &fields);
    assert_eq!(first.status, 303, "{}", first.body);
    let second = post_form(&path, &fields);
    assert!(second.header("location").is_none(), "{:?}", second.headers);
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(second.body.contains("already booked"), "{}", second.body);
}

/// [P43] Cloudflare's invocation logs, which record every request's URL and so the link tokens
/// in manage and privacy paths, are off in the Worker's configuration, while the Worker's own
/// logs (scanned for personal data by zz_log_scan.rs) stay on.
#[test]
fn cloudflare_keeps_no_request_urls_in_its_logs() {
    let config = std::fs::read_to_string(repo_root().join("wrangler.toml")).unwrap();
    let settings: Vec<&str> = config
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect();
    let logs = settings
        .iter()
        .position(|line| *line == "[observability.logs]")
        .expect("an [observability.logs] table");
    let table: Vec<&str> = settings[logs + 1..]
        .iter()
        .take_while(|line| !line.starts_with('['))
        .copied()
        .collect();
    assert!(table.contains(&"invocation_logs = false"), "{table:?}");
    assert!(table.contains(&"enabled = true"), "{table:?}");
}
