//! Connecting a host's Google or Microsoft calendar, or their Zoom account: OAuth 2.0
//! authorization code with PKCE, asking for offline access (a refresh token) and the least
//! scopes that let Openslot read free/busy times and write the events it creates.
//!
//! Like `identity`, this module only knows the providers' endpoints, scopes and field names;
//! HTTP goes through any `oauth2::AsyncHttpClient`, so it is tested natively.

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::BasicTokenType;
use oauth2::http::{header, Method, StatusCode};
use oauth2::{
    AsyncHttpClient, AuthType, AuthorizationCode, CsrfToken, ExtraTokenFields, HttpRequest,
    PkceCodeChallenge, PkceCodeVerifier, RefreshToken, Scope, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::calendar::shape::{read, Field, Shape};
use super::oauth_client::{self, Endpoints, OAuthClientFor, OAuthError};
use crate::config::{OAuthClient, ServiceUrls};
use crate::core::types::Email;

use super::registry::{AccountFrom, ConnectProvider, OAuthEntry};

/// The `id_token` of an OpenID token response, which `oauth2`'s basic response drops.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type GrantResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// An access token and when to stop using it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The provider account a connection reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The provider's stable id of the account.
    pub id: String,
    pub email: Email,
}

/// What a completed connection yields.
#[derive(Debug)]
pub struct Grant {
    /// Stored only encrypted (KV); it is what keeps the connection alive.
    pub refresh_token: String,
    pub access: AccessToken,
    pub account: Account,
}

/// What a refresh yields.
#[derive(Debug)]
pub struct Refreshed {
    pub access: AccessToken,
    /// Zoom (and sometimes Microsoft) hands out a new refresh token with every refresh; once
    /// present it must replace the stored one before anything else happens.
    pub rotated_refresh_token: Option<String>,
}

/// Why connecting or refreshing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// A URL in the configuration or the redirect URI is unusable (an operator's mistake).
    #[error("endpoint: {0}")]
    Endpoint(String),
    /// The provider refused the code or the refresh token (`invalid_grant`): the host must
    /// connect again.
    #[error("the provider refused the grant")]
    Revoked,
    /// The provider could not be reached or answered nonsense: try again later.
    #[error("the provider did not answer usefully: {0}")]
    Unreachable(String),
    /// The provider issued no refresh token, or no account id or address.
    #[error("the provider did not give {0}")]
    Incomplete(&'static str),
    /// The host left permissions unticked on the consent screen: the consent-screen words
    /// of each missing one ([`ConnectProvider::required_scopes`]).
    #[error("permissions not granted: {}", .0.join("; "))]
    MissingScopes(Vec<&'static str>),
}

/// The consent-screen words of every required scope of `provider` that `granted` lacks.
/// Scopes compare without Graph's `https://graph.microsoft.com/` prefix and without case
/// (Graph answers `Calendars.ReadWrite` in either form).
pub fn missing_scopes(provider: ConnectProvider, granted: &[String]) -> Vec<&'static str> {
    let bare = |s: &str| {
        s.strip_prefix("https://graph.microsoft.com/")
            .unwrap_or(s)
            .to_ascii_lowercase()
    };
    let granted: Vec<String> = granted.iter().map(|s| bare(s)).collect();
    provider
        .required_scopes()
        .iter()
        .filter(|(scope, _)| !granted.contains(&bare(scope)))
        .map(|(_, words)| *words)
        .collect()
}

impl From<OAuthError> for ConnectError {
    /// A refused grant means the host must connect again.
    fn from(error: OAuthError) -> Self {
        match error {
            OAuthError::Endpoint(e) => Self::Endpoint(e),
            OAuthError::InvalidGrant => Self::Revoked,
            OAuthError::Unreachable(e) => Self::Unreachable(e),
        }
    }
}

/// Tokens expire a minute early here, so a request never starts with a dying token.
const EXPIRY_MARGIN_SECONDS: i64 = 60;

/// When no `expires_in` comes back: providers document one hour.
const DEFAULT_LIFETIME_SECONDS: i64 = 3600;

/// The provider's OAuth description; a password provider (CalDAV) has none, and reaching
/// here for one is our own mistake, reported as such.
fn oauth_of(provider: ConnectProvider) -> Result<&'static OAuthEntry, ConnectError> {
    provider.entry().oauth.as_ref().ok_or_else(|| {
        ConnectError::Endpoint(format!("{} connects with a password", provider.as_str()))
    })
}

fn client(
    provider: ConnectProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: Option<&str>,
) -> Result<OAuthClientFor<GrantResponse>, ConnectError> {
    let oauth = oauth_of(provider)?;
    let endpoints = Endpoints {
        authorize: (oauth.authorize)(urls),
        token: (oauth.token)(urls),
        redirect: redirect_uri,
        auth_type: oauth.auth_type.clone(),
    };
    Ok(oauth_client::client(registration, endpoints)?)
}

/// Which account the consent page starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt<'a> {
    /// The account the host already uses (`login_hint`), where there is one.
    Hint(Option<&'a str>),
    /// The person picks: another account beside those connected (the provider's
    /// [`OAuthEntry::choose_account_prompt`]).
    Choose,
}

/// The provider's consent URL with our `state`, the S256 challenge of `verifier`, offline
/// access, and the account it starts at ([`StartAt`]).
pub fn authorize_url(
    provider: ConnectProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: &str,
    state: &str,
    verifier: &str,
    start_at: StartAt<'_>,
) -> Result<String, ConnectError> {
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    let state = state.to_owned();
    let client = client(provider, urls, registration, Some(redirect_uri))?;
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(provider.scopes().iter().map(|s| Scope::new((*s).into())))
        .set_pkce_challenge(challenge);
    let oauth = oauth_of(provider)?;
    let choose = match start_at {
        StartAt::Choose => oauth.choose_account_prompt,
        StartAt::Hint(_) => None,
    };
    for (name, value) in oauth.authorize_params {
        if *name == "prompt" && choose.is_some() {
            continue;
        }
        request = request.add_extra_param(*name, *value);
    }
    if let Some(prompt) = choose {
        request = request.add_extra_param("prompt", prompt);
    }
    if let StartAt::Hint(Some(hint)) = start_at {
        if oauth.login_hint {
            request = request.add_extra_param("login_hint", hint);
        }
    }
    Ok(request.url().0.to_string())
}

fn access_token(response: &GrantResponse, now: DateTime<Utc>) -> AccessToken {
    let lifetime = response
        .expires_in()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(DEFAULT_LIFETIME_SECONDS);
    AccessToken {
        secret: response.access_token().secret().clone(),
        expires_at: now + Duration::seconds((lifetime - EXPIRY_MARGIN_SECONDS).max(0)),
    }
}

/// Exchanges the authorization code (with the PKCE verifier) for tokens and learns which
/// account was connected.
#[allow(clippy::too_many_arguments)]
pub async fn exchange_code<C>(
    provider: ConnectProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
    now: DateTime<Utc>,
    http: &C,
) -> Result<Grant, ConnectError>
where
    C: for<'c> AsyncHttpClient<'c>,
{
    let response = client(provider, urls, registration, Some(redirect_uri))?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http)
        .await
        .map_err(oauth_client::token_error)?;
    // RFC 6749 §5.1: without `scope` the grant is what was asked for.
    if let Some(granted) = response.scopes() {
        let granted: Vec<String> = granted.iter().map(|s| s.as_str().to_owned()).collect();
        let missing = missing_scopes(provider, &granted);
        if !missing.is_empty() {
            return Err(ConnectError::MissingScopes(missing));
        }
    }
    let refresh_token = response
        .refresh_token()
        .map(|t| t.secret().clone())
        .ok_or(ConnectError::Incomplete("a refresh token"))?;
    let access = access_token(&response, now);
    let account = match oauth_of(provider)?.account {
        AccountFrom::IdToken { .. } => {
            let id_token = response
                .extra_fields()
                .id_token
                .as_deref()
                .ok_or(ConnectError::Incomplete("an id token"))?;
            account_from_id_token(provider, id_token)?
        }
        AccountFrom::ZoomUser => zoom_account(urls, &access.secret, http).await?,
    };
    Ok(Grant {
        refresh_token,
        access,
        account,
    })
}

/// Claims of an OpenID id token that name the account (read by shape, like the calendar
/// answers: `calendar::shape`).
static ID_CLAIMS: Shape = Shape::Record(&[
    Field::new("sub", Shape::Maybe(&Shape::Text)),
    // Microsoft's object id: the same for the account across apps.
    Field::new("oid", Shape::Maybe(&Shape::Text)),
    Field::new("email", Shape::Maybe(&Shape::Text)),
    Field::new("preferred_username", Shape::Maybe(&Shape::Text)),
]);

/// Reads the account from an id token that came straight from the token endpoint over TLS:
/// OpenID Connect Core §3.1.3.7 lets TLS stand in for the signature check in that case.
pub fn account_from_id_token(
    provider: ConnectProvider,
    id_token: &str,
) -> Result<Account, ConnectError> {
    use base64::Engine;
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or(ConnectError::Incomplete("a readable id token"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ConnectError::Incomplete("a readable id token"))?;
    let mut claims =
        read(&bytes, &ID_CLAIMS).map_err(|_| ConnectError::Incomplete("a readable id token"))?;
    let prefer_oid = matches!(
        oauth_of(provider)?.account,
        AccountFrom::IdToken { prefer_oid: true }
    );
    let sub = claims.take("sub").into_text();
    let id = if prefer_oid {
        claims.take("oid").into_text().or(sub)
    } else {
        sub
    }
    .filter(|s| !s.is_empty() && s.len() <= 255)
    .ok_or(ConnectError::Incomplete("an account id"))?;
    let email = claims
        .take("email")
        .into_text()
        .or(claims.take("preferred_username").into_text())
        .and_then(|e| Email::parse(e.trim()).ok())
        .ok_or(ConnectError::Incomplete("an email address"))?;
    Ok(Account { id, email })
}

/// Zoom's `GET /v2/users/me`: the user id its webhooks use, and the address to show.
static ZOOM_USER: Shape = Shape::Record(&[
    Field::new("id", Shape::Maybe(&Shape::Text)),
    Field::new("email", Shape::Maybe(&Shape::Text)),
]);

async fn zoom_account<C>(
    urls: &ServiceUrls,
    access: &str,
    http: &C,
) -> Result<Account, ConnectError>
where
    C: for<'c> AsyncHttpClient<'c>,
{
    let request: HttpRequest = oauth2::http::Request::builder()
        .method(Method::GET)
        .uri(format!("{}/v2/users/me", urls.zoom_api))
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .header(header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| ConnectError::Endpoint(e.to_string()))?;
    let response = http
        .call(request)
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    if response.status() != StatusCode::OK {
        return Err(ConnectError::Unreachable(format!(
            "users/me answered {}",
            response.status()
        )));
    }
    let mut user = read(response.body(), &ZOOM_USER)
        .map_err(|e| ConnectError::Unreachable(format!("users/me: {e}")))?;
    let id = user
        .take("id")
        .into_text()
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or(ConnectError::Incomplete("an account id"))?;
    let email = user
        .take("email")
        .into_text()
        .and_then(|e| Email::parse(e.trim()).ok())
        .ok_or(ConnectError::Incomplete("an email address"))?;
    Ok(Account { id, email })
}

/// Trades the refresh token for a fresh access token (and, with Zoom, a new refresh token).
pub async fn refresh<C>(
    provider: ConnectProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    refresh_token: &str,
    now: DateTime<Utc>,
    http: &C,
) -> Result<Refreshed, ConnectError>
where
    C: for<'c> AsyncHttpClient<'c>,
{
    let token = RefreshToken::new(refresh_token.to_owned());
    let response = client(provider, urls, registration, None)?
        .exchange_refresh_token(&token)
        .request_async(http)
        .await
        .map_err(oauth_client::token_error)?;
    let rotated_refresh_token = response
        .refresh_token()
        .map(|t| t.secret().clone())
        .filter(|t| t != refresh_token);
    Ok(Refreshed {
        access: access_token(&response, now),
        rotated_refresh_token,
    })
}

/// Which token a provider's revocation endpoint takes to end the whole grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeBy {
    /// Google: revoking the refresh token ends the grant and its access tokens (Google
    /// identity docs, "Revoking a token").
    RefreshToken,
    /// Zoom: `POST /oauth/revoke?token={access_token}` with the app's Basic credentials
    /// (Zoom OAuth docs, "Revoke an access token"); a refresh token there is an invalid token.
    AccessToken,
}

/// Asks the provider to forget the grant behind `token`, which is the kind
/// [`ConnectProvider::revoke_by`] names (RFC 7009: a form POST of the token, with the client's
/// credentials where the provider wants them). `Ok(false)` when the provider has no
/// revocation endpoint (Microsoft).
///
/// Only Google's answer that the token is already invalid counts as revoked besides a 2xx:
/// Google then holds no grant for it. Zoom's refusal of an access token says nothing about
/// the grant (which lives on for up to 90 days), so it is an error the host is told about.
///
/// Built by hand rather than with `oauth2`'s revocation request, which refuses any endpoint
/// that is not `https://` and so could not be pointed at the local fakes.
pub async fn revoke<C>(
    provider: ConnectProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    token: &str,
    http: &C,
) -> Result<bool, ConnectError>
where
    C: for<'c> AsyncHttpClient<'c>,
{
    use base64::Engine;
    let oauth = oauth_of(provider)?;
    let Some((endpoint, by)) = oauth.revocation else {
        return Ok(false);
    };
    let endpoint = endpoint(urls);
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("token", token).append_pair(
        "token_type_hint",
        match by {
            RevokeBy::RefreshToken => "refresh_token",
            RevokeBy::AccessToken => "access_token",
        },
    );
    // Zoom documents the token as a query parameter.
    let endpoint = match by {
        RevokeBy::AccessToken => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("token", token);
            format!("{endpoint}?{}", query.finish())
        }
        RevokeBy::RefreshToken => endpoint,
    };
    let mut request = oauth2::http::Request::builder()
        .method(Method::POST)
        .uri(endpoint)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if matches!(oauth.auth_type, AuthType::BasicAuth) {
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", registration.id, registration.secret));
        request = request.header(header::AUTHORIZATION, format!("Basic {credentials}"));
    } else {
        body.append_pair("client_id", &registration.id);
    }
    let request = request
        .body(body.finish().into_bytes())
        .map_err(|e| ConnectError::Endpoint(e.to_string()))?;
    let response = http
        .call(request)
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let invalid_token = status == 400
        && serde_json::from_slice::<serde_json::Value>(response.body())
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .is_some_and(|e| e == "invalid_token");
    match (status, by) {
        (200..=299, _) => Ok(true),
        // Google: already revoked or expired, so there is no grant left.
        (400, RevokeBy::RefreshToken) if invalid_token => Ok(true),
        (other, _) => Err(ConnectError::Unreachable(format!(
            "revocation answered {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::registry::Capabilities;
    use crate::providers::test_support::*;

    #[test]
    fn the_capability_table_says_what_each_connection_does() {
        use crate::providers::calendar::MeetingMaker;
        let calendars: Vec<_> = ConnectProvider::ALL
            .into_iter()
            .filter(|p| p.is_calendar())
            .collect();
        assert_eq!(
            calendars,
            [
                ConnectProvider::Google,
                ConnectProvider::Microsoft,
                ConnectProvider::CalDav
            ]
        );
        for provider in calendars {
            assert_eq!(provider.calendar().unwrap().connection(), provider);
        }
        // Each meeting service is made by exactly one connection (the registry's test); "none"
        // by none.
        assert_eq!(MeetingMaker::None.connection(), None);
        // Only Outlook has "show as" states; only Google emails the invitee itself.
        let with = |f: fn(Capabilities) -> bool| -> Vec<ConnectProvider> {
            ConnectProvider::ALL
                .into_iter()
                .filter(|p| f(p.capabilities()))
                .collect()
        };
        assert_eq!(with(|c| c.show_as_states), [ConnectProvider::Microsoft]);
        assert_eq!(with(|c| c.emails_invitee), [ConnectProvider::Google]);
    }

    /// Exchanges `code-1` at `provider` through the canned answers, as the callback does.
    fn exchange(provider: ConnectProvider, http: &Canned) -> Result<Grant, ConnectError> {
        block_on(exchange_code(
            provider,
            &urls(),
            &registration(),
            "https://slots.example/cb",
            "code-1",
            &"v".repeat(64),
            now(),
            http,
        ))
    }

    fn id_token(claims: &str) -> String {
        use base64::Engine;
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", enc(r#"{"alg":"RS256"}"#), enc(claims))
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn google_asks_for_offline_access_with_free_busy_and_owned_event_scopes_only() {
        let verifier = "v".repeat(64);
        let url = authorize_url(
            ConnectProvider::Google,
            &urls(),
            &registration(),
            "https://slots.example/dashboard/connections/google/callback",
            "st",
            &verifier,
            StartAt::Hint(Some("ana@example.com")),
        )
        .unwrap();
        assert!(url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
        let pairs = query(&url);
        assert_eq!(value(&pairs, "access_type"), Some("offline"));
        assert_eq!(value(&pairs, "prompt"), Some("consent"));
        assert_eq!(value(&pairs, "state"), Some("st"));
        assert_eq!(value(&pairs, "code_challenge_method"), Some("S256"));
        assert_eq!(value(&pairs, "login_hint"), Some("ana@example.com"));
        let scope = value(&pairs, "scope").unwrap();
        assert!(scope.contains("calendar.freebusy"), "{scope}");
        assert!(scope.contains("calendar.events.owned"), "{scope}");
        // Nothing that reads what events are about.
        assert!(!scope.contains("calendar.readonly"), "{scope}");
        assert!(
            !scope.split(' ').any(|s| s.ends_with("/auth/calendar")),
            "{scope}"
        );
    }

    #[test]
    fn microsoft_asks_for_offline_access_and_zoom_sends_no_scope() {
        let verifier = "v".repeat(64);
        let microsoft = authorize_url(
            ConnectProvider::Microsoft,
            &urls(),
            &registration(),
            "https://slots.example/cb",
            "st",
            &verifier,
            StartAt::Hint(None),
        )
        .unwrap();
        assert_eq!(
            value(&query(&microsoft), "scope"),
            Some("openid email offline_access Calendars.ReadWrite")
        );
        let zoom = authorize_url(
            ConnectProvider::Zoom,
            &urls(),
            &registration(),
            "https://slots.example/cb",
            "st",
            &verifier,
            StartAt::Hint(Some("ana@example.com")),
        )
        .unwrap();
        assert!(zoom.starts_with("https://zoom.us/oauth/authorize?"));
        let pairs = query(&zoom);
        assert_eq!(value(&pairs, "scope"), None);
        assert_eq!(value(&pairs, "login_hint"), None);
        assert!(value(&pairs, "code_challenge").is_some());
    }

    #[test]
    fn another_account_is_chosen_at_the_consent_page_not_hinted() {
        let verifier = "v".repeat(64);
        let start = |provider| {
            let url = authorize_url(
                provider,
                &urls(),
                &registration(),
                "https://slots.example/cb",
                "st",
                &verifier,
                StartAt::Choose,
            )
            .unwrap();
            query(&url)
        };
        let google = start(ConnectProvider::Google);
        assert_eq!(value(&google, "prompt"), Some("select_account consent"));
        assert_eq!(value(&google, "access_type"), Some("offline"));
        assert_eq!(google.iter().filter(|(k, _)| k == "prompt").count(), 1);
        assert_eq!(value(&google, "login_hint"), None);
        let microsoft = start(ConnectProvider::Microsoft);
        assert_eq!(value(&microsoft, "prompt"), Some("select_account"));
        assert_eq!(value(&microsoft, "login_hint"), None);
        assert_eq!(value(&start(ConnectProvider::Zoom), "prompt"), None);
    }

    #[test]
    fn a_google_code_exchange_yields_the_refresh_token_and_the_account_of_the_id_token() {
        let token = id_token(r#"{"sub":"g-1","email":"Ana@Example.com","email_verified":true}"#);
        let body = format!(
            r#"{{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,
                "refresh_token":"1//r","scope":"openid email https://www.googleapis.com/auth/calendar.freebusy https://www.googleapis.com/auth/calendar.events.owned https://www.googleapis.com/auth/calendar.calendarlist.readonly","id_token":"{token}"}}"#
        );
        let http = Canned::new(&[(200, &body)]);
        let grant = exchange(ConnectProvider::Google, &http)
        .unwrap();
        assert_eq!(grant.refresh_token, "1//r");
        assert_eq!(grant.access.secret, "ya29.a");
        assert_eq!(
            grant.access.expires_at,
            now() + Duration::seconds(3599 - 60)
        );
        assert_eq!(grant.account.id, "g-1");
        assert_eq!(grant.account.email.as_str(), "Ana@example.com");
        let sent = http.sent.borrow();
        let form = String::from_utf8(sent[0].body().clone()).unwrap();
        assert!(form.contains("code_verifier="), "{form}");
        assert!(form.contains("client_secret=s3cret"), "{form}");
    }

    /// Google's granular consent lets the host untick a calendar scope; the answer's `scope`
    /// then lacks it, and the connection is refused naming what to tick.
    #[test]
    fn a_google_grant_missing_a_calendar_scope_is_refused_naming_it() {
        let token = id_token(r#"{"sub":"g-1","email":"ana@example.com"}"#);
        let granted = "openid email https://www.googleapis.com/auth/calendar.freebusy \
                       https://www.googleapis.com/auth/calendar.calendarlist.readonly";
        let body = format!(
            r#"{{"access_token":"a","token_type":"Bearer","expires_in":3599,
                "refresh_token":"1//r","scope":"{granted}","id_token":"{token}"}}"#
        );
        let http = Canned::new(&[(200, &body)]);
        let result = exchange(ConnectProvider::Google, &http);
        let error = result.expect_err("a partial grant is refused").to_string();
        assert!(
            error.contains("create, change, and delete events"),
            "{error}"
        );
        assert!(!error.contains("availability"), "{error}");

        // Everything granted (Graph answers scopes as URLs, in any case): accepted.
        let token =
            id_token(r#"{"sub":"m","oid":"0a1b","preferred_username":"bo@contoso.example"}"#);
        let body = format!(
            r#"{{"access_token":"a","token_type":"Bearer","expires_in":3599,"refresh_token":"r",
                "scope":"https://graph.microsoft.com/calendars.readwrite openid email","id_token":"{token}"}}"#
        );
        let http = Canned::new(&[(200, &body)]);
        assert!(exchange(ConnectProvider::Microsoft, &http)
        .is_ok());
        let body = format!(
            r#"{{"access_token":"a","token_type":"Bearer","expires_in":3599,"refresh_token":"r",
                "scope":"openid email User.Read","id_token":"{token}"}}"#
        );
        let http = Canned::new(&[(200, &body)]);
        let error = exchange(ConnectProvider::Microsoft, &http)
        .expect_err("no calendar permission")
        .to_string();
        assert!(error.contains("calendars"), "{error}");
    }

    #[test]
    fn without_a_refresh_token_the_connection_is_incomplete() {
        let token = id_token(r#"{"sub":"g-1","email":"ana@example.com"}"#);
        let body = format!(
            r#"{{"access_token":"a","token_type":"Bearer","expires_in":3599,"id_token":"{token}"}}"#
        );
        let http = Canned::new(&[(200, &body)]);
        let result = exchange(ConnectProvider::Google, &http);
        assert_eq!(
            result.unwrap_err(),
            ConnectError::Incomplete("a refresh token")
        );
    }

    #[test]
    fn zoom_authenticates_with_basic_auth_and_reads_the_user_id() {
        let http = Canned::new(&[
            (
                200,
                r#"{"access_token":"z.a","token_type":"bearer","expires_in":3599,"refresh_token":"z.r"}"#,
            ),
            (
                200,
                r#"{"id":"KDcuGIm1QgePTO8WbOqwIQ","email":"ana@example.com"}"#,
            ),
        ]);
        let grant = exchange(ConnectProvider::Zoom, &http)
        .unwrap();
        assert_eq!(grant.account.id, "KDcuGIm1QgePTO8WbOqwIQ");
        let sent = http.sent.borrow();
        assert!(sent[0].headers().get(header::AUTHORIZATION).is_some());
        let form = String::from_utf8(sent[0].body().clone()).unwrap();
        assert!(
            !form.contains("s3cret"),
            "the secret goes in the Basic header: {form}"
        );
        assert_eq!(sent[1].uri().to_string(), "https://api.zoom.us/v2/users/me");
    }

    #[test]
    fn a_refused_refresh_is_revoked_and_a_rotated_token_is_returned() {
        let refused = Canned::new(&[(
            400,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
        )]);
        let result = block_on(refresh(
            ConnectProvider::Google,
            &urls(),
            &registration(),
            "old",
            now(),
            &refused,
        ));
        assert_eq!(result.unwrap_err(), ConnectError::Revoked);

        let rotating = Canned::new(&[(
            200,
            r#"{"access_token":"z.a2","token_type":"bearer","expires_in":3599,"refresh_token":"new"}"#,
        )]);
        let refreshed = block_on(refresh(
            ConnectProvider::Zoom,
            &urls(),
            &registration(),
            "old",
            now(),
            &rotating,
        ))
        .unwrap();
        assert_eq!(refreshed.rotated_refresh_token.as_deref(), Some("new"));
        assert_eq!(refreshed.access.secret, "z.a2");

        let unavailable = Canned::new(&[(503, r#"{"error":"temporarily_unavailable"}"#)]);
        let result = block_on(refresh(
            ConnectProvider::Microsoft,
            &urls(),
            &registration(),
            "old",
            now(),
            &unavailable,
        ));
        assert!(
            matches!(result, Err(ConnectError::Unreachable(_))),
            "{result:?}"
        );
    }

    #[test]
    fn microsoft_accounts_are_named_by_object_id_and_have_no_revocation() {
        let token = id_token(
            r#"{"sub":"pairwise","oid":"0a1b","preferred_username":"bo@contoso.example"}"#,
        );
        let account = account_from_id_token(ConnectProvider::Microsoft, &token).unwrap();
        assert_eq!(account.id, "0a1b");
        assert_eq!(account.email.as_str(), "bo@contoso.example");
        let http = Canned::new(&[]);
        let revoked = block_on(revoke(
            ConnectProvider::Microsoft,
            &urls(),
            &registration(),
            "r",
            &http,
        ));
        assert_eq!(revoked, Ok(false));
        assert!(http.sent.borrow().is_empty());
        assert!(account_from_id_token(ConnectProvider::Google, "not-a-jwt").is_err());
    }

    #[test]
    fn zoom_is_revoked_with_the_access_token_and_a_refusal_is_not_taken_for_success() {
        let http = Canned::new(&[(200, r#"{"status":"success"}"#)]);
        let revoked = block_on(revoke(
            ConnectProvider::Zoom,
            &urls(),
            &registration(),
            "z.access",
            &http,
        ));
        assert_eq!(revoked, Ok(true));
        let sent = http.sent.borrow();
        assert_eq!(
            sent[0].uri().to_string(),
            "https://zoom.us/oauth/revoke?token=z.access"
        );
        assert!(sent[0]
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Basic ")));
        let form = String::from_utf8(sent[0].body().clone()).unwrap();
        assert!(form.contains("token_type_hint=access_token"), "{form}");
        drop(sent);
        for status in [400, 401, 404] {
            let refused = Canned::new(&[(
                status,
                r#"{"reason":"Invalid Token!","error":"invalid_request"}"#,
            )]);
            let result = block_on(revoke(
                ConnectProvider::Zoom,
                &urls(),
                &registration(),
                "z.access",
                &refused,
            ));
            assert!(result.is_err(), "{status}: {result:?}");
        }
        let gone = Canned::new(&[(
            400,
            r#"{"error":"invalid_token","error_description":"Token expired or revoked"}"#,
        )]);
        assert_eq!(
            block_on(revoke(
                ConnectProvider::Google,
                &urls(),
                &registration(),
                "1//r",
                &gone
            )),
            Ok(true)
        );
    }

    #[test]
    fn revoking_a_google_grant_posts_the_refresh_token_to_the_revocation_endpoint() {
        let http = Canned::new(&[(200, "{}")]);
        let revoked = block_on(revoke(
            ConnectProvider::Google,
            &urls(),
            &registration(),
            "1//r",
            &http,
        ));
        assert_eq!(revoked, Ok(true));
        let sent = http.sent.borrow();
        assert_eq!(
            sent[0].uri().to_string(),
            "https://oauth2.googleapis.com/revoke"
        );
        let form = String::from_utf8(sent[0].body().clone()).unwrap();
        assert!(form.contains("token=1%2F%2Fr"), "{form}");
    }
}
