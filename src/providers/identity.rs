//! Signing a host in with Google or Microsoft (OpenID Connect, authorization-code flow with
//! PKCE): the providers' endpoints, scopes and field names live here and nowhere else.
//!
//! The identity is always read from the provider's userinfo endpoint (Google's OpenID
//! `userinfo`, Microsoft Graph `/me`) with the access token we just received over TLS, never
//! from anything the browser sent. HTTP goes through any `oauth2::AsyncHttpClient`, so the
//! flow is the same on the Worker (an adapter over `worker::Fetch`) and in tests.

use oauth2::basic::BasicTokenResponse;
use oauth2::http::{header, Method, StatusCode};
use oauth2::{
    AsyncHttpClient, AuthType, AuthorizationCode, CsrfToken, HttpRequest, PkceCodeChallenge,
    PkceCodeVerifier, Scope, TokenResponse,
};
use super::calendar::shape::{read, Field, Shape};

use super::oauth_client::{self, Endpoints, OAuthClientFor, OAuthError};
use crate::config::{OAuthClient, ServiceUrls};
use crate::core::types::{Email, PersonName};

/// A provider a host can sign in with. A sign-in under way deserializes straight into it
/// (`oauth_states.provider`, whose CHECK constraint allows exactly these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityProvider {
    Google,
    Microsoft,
}

impl IdentityProvider {
    /// Both providers, in the order the sign-in page shows them.
    pub const ALL: [IdentityProvider; 2] = [IdentityProvider::Google, IdentityProvider::Microsoft];

    /// The provider named by a path segment or a stored value (`google`, `microsoft`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "google" => Some(Self::Google),
            "microsoft" => Some(Self::Microsoft),
            _ => None,
        }
    }

    /// The stored and routed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Google => "Google",
            Self::Microsoft => "Microsoft",
        }
    }

    /// Sign-in asks only for who the person is (Graph's `User.Read` is needed for `/me`).
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Self::Google => &["openid", "email", "profile"],
            Self::Microsoft => &["openid", "email", "profile", "User.Read"],
        }
    }

    fn authorize_endpoint(self, urls: &ServiceUrls) -> String {
        match self {
            Self::Google => format!("{}/o/oauth2/v2/auth", urls.google_accounts),
            Self::Microsoft => format!("{}/common/oauth2/v2.0/authorize", urls.microsoft_login),
        }
    }

    fn token_endpoint(self, urls: &ServiceUrls) -> String {
        match self {
            Self::Google => format!("{}/token", urls.google_oauth2),
            Self::Microsoft => format!("{}/common/oauth2/v2.0/token", urls.microsoft_login),
        }
    }

    fn userinfo_endpoint(self, urls: &ServiceUrls) -> String {
        match self {
            Self::Google => format!("{}/v1/userinfo", urls.google_openid),
            Self::Microsoft => format!("{}/v1.0/me", urls.microsoft_graph),
        }
    }
}

/// Who signed in, as the provider vouches for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's stable id of the account (never reassigned).
    pub subject: String,
    pub email: Email,
    /// Whether the provider vouches that the address belongs to the account; only a verified
    /// address may join an existing host or pass an allow-list.
    pub email_verified: bool,
    pub name: Option<PersonName>,
}

/// Why a sign-in could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A URL in the configuration or the redirect URI is unusable (an operator's mistake).
    #[error("sign-in endpoint: {0}")]
    Endpoint(String),
    /// The provider refused the code (expired, used, or not ours): the person should retry.
    #[error("the provider refused the sign-in: {0}")]
    Refused(String),
    /// The provider could not be reached or answered nonsense: try again later.
    #[error("the provider did not answer usefully: {0}")]
    Unreachable(String),
    /// The account shares no usable subject or email address.
    #[error("the account is missing {0}")]
    Unusable(&'static str),
}

impl From<OAuthError> for IdentityError {
    /// A refused code means the person should simply sign in again.
    fn from(error: OAuthError) -> Self {
        match error {
            OAuthError::Endpoint(e) => Self::Endpoint(e),
            OAuthError::InvalidGrant => Self::Refused("invalid_grant".into()),
            OAuthError::Unreachable(e) => Self::Unreachable(e),
        }
    }
}

fn client(
    provider: IdentityProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: &str,
) -> Result<OAuthClientFor<BasicTokenResponse>, IdentityError> {
    let endpoints = Endpoints {
        authorize: provider.authorize_endpoint(urls),
        token: provider.token_endpoint(urls),
        redirect: Some(redirect_uri),
        // Both providers document the secret in the form body.
        auth_type: AuthType::RequestBody,
    };
    Ok(oauth_client::client(registration, endpoints)?)
}

/// The provider's authorize URL carrying our `state` and the S256 challenge of `verifier`.
pub fn authorize_url(
    provider: IdentityProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: &str,
    state: &str,
    verifier: &str,
) -> Result<String, IdentityError> {
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    let state = state.to_owned();
    let (url, _) = client(provider, urls, registration, redirect_uri)?
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(provider.scopes().iter().map(|s| Scope::new((*s).into())))
        .add_extra_param("prompt", "select_account")
        .set_pkce_challenge(challenge)
        .url();
    Ok(url.to_string())
}

/// Exchanges the authorization code (with the PKCE verifier) and reads who signed in.
pub async fn identify<C>(
    provider: IdentityProvider,
    urls: &ServiceUrls,
    registration: &OAuthClient,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
    http: &C,
) -> Result<Identity, IdentityError>
where
    C: for<'c> AsyncHttpClient<'c>,
{
    let token = client(provider, urls, registration, redirect_uri)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http)
        .await
        .map_err(oauth_client::token_error)?;
    let request: HttpRequest = oauth2::http::Request::builder()
        .method(Method::GET)
        .uri(provider.userinfo_endpoint(urls))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", token.access_token().secret()),
        )
        .header(header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| IdentityError::Endpoint(e.to_string()))?;
    let response = http
        .call(request)
        .await
        .map_err(|e| IdentityError::Unreachable(e.to_string()))?;
    if response.status() != StatusCode::OK {
        return Err(IdentityError::Unreachable(format!(
            "userinfo answered {}",
            response.status()
        )));
    }
    identity_from_userinfo(provider, response.body())
}

/// Google's OpenID Connect userinfo (read by shape, like the calendar answers:
/// `calendar::shape`).
static GOOGLE_USERINFO: Shape = Shape::Record(&[
    Field::new("sub", Shape::Maybe(&Shape::Text)),
    Field::new("email", Shape::Maybe(&Shape::Text)),
    Field::or_empty("email_verified", Shape::Flag),
    Field::new("name", Shape::Maybe(&Shape::Text)),
]);

/// Microsoft Graph `GET /me`.
static GRAPH_ME: Shape = Shape::Record(&[
    Field::new("id", Shape::Maybe(&Shape::Text)),
    Field::new("mail", Shape::Maybe(&Shape::Text)),
    Field::new("userPrincipalName", Shape::Maybe(&Shape::Text)),
    Field::new("displayName", Shape::Maybe(&Shape::Text)),
]);

/// Maps a userinfo body to an [`Identity`].
///
/// Google says whether the address is verified. Graph's `mail` can be set to anything by a
/// tenant's administrator, but a `userPrincipalName` must use a domain the tenant verified:
/// the address counts as verified only when it is the principal name.
pub fn identity_from_userinfo(
    provider: IdentityProvider,
    body: &[u8],
) -> Result<Identity, IdentityError> {
    let unreadable = |e: serde_json::Error| IdentityError::Unreachable(format!("userinfo: {e}"));
    let present = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (subject, email, email_verified, name) = match provider {
        IdentityProvider::Google => {
            let mut info = read(body, &GOOGLE_USERINFO).map_err(unreadable)?;
            let email = present(info.take("email").into_text())
                .and_then(|e| Email::parse(&e).ok())
                .ok_or(IdentityError::Unusable("an email address"))?;
            let verified = info.get("email_verified").flag().unwrap_or(false);
            (
                present(info.take("sub").into_text()),
                email,
                verified,
                info.take("name").into_text(),
            )
        }
        IdentityProvider::Microsoft => {
            let mut me = read(body, &GRAPH_ME).map_err(unreadable)?;
            let principal = present(me.take("userPrincipalName").into_text())
                .and_then(|e| Email::parse(&e).ok());
            let mail = present(me.take("mail").into_text()).and_then(|e| Email::parse(&e).ok());
            let email = mail
                .clone()
                .or_else(|| principal.clone())
                .ok_or(IdentityError::Unusable("an email address"))?;
            let verified = principal
                .as_ref()
                .is_some_and(|p| p.normalized() == email.normalized());
            (
                present(me.take("id").into_text()),
                email,
                verified,
                me.take("displayName").into_text(),
            )
        }
    };
    let subject = subject
        .filter(|s| s.len() <= 255)
        .ok_or(IdentityError::Unusable("an account id"))?;
    let name = name.and_then(|n| PersonName::parse(&n).ok());
    Ok(Identity {
        subject,
        email,
        email_verified,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::test_support::*;

    #[test]
    fn authorize_urls_carry_state_pkce_and_the_sign_in_scopes() {
        let verifier = "a".repeat(64);
        let google = authorize_url(
            IdentityProvider::Google,
            &urls(),
            &registration(),
            "https://slots.example/auth/google/callback",
            "state-1",
            &verifier,
        )
        .unwrap();
        assert!(google.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
        let pairs = query(&google);
        assert_eq!(value(&pairs, "response_type"), Some("code"));
        assert_eq!(value(&pairs, "client_id"), Some("client-1"));
        assert_eq!(value(&pairs, "state"), Some("state-1"));
        assert_eq!(value(&pairs, "scope"), Some("openid email profile"));
        assert_eq!(value(&pairs, "code_challenge_method"), Some("S256"));
        assert_eq!(
            value(&pairs, "redirect_uri"),
            Some("https://slots.example/auth/google/callback")
        );
        // RFC 7636 S256: base64url(SHA-256(verifier)), no padding.
        use base64::Engine;
        use sha2::Digest;
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        assert_eq!(value(&pairs, "code_challenge"), Some(expected.as_str()));
        assert!(!google.contains("s3cret"));

        let microsoft = authorize_url(
            IdentityProvider::Microsoft,
            &urls(),
            &registration(),
            "https://slots.example/auth/microsoft/callback",
            "state-2",
            &verifier,
        )
        .unwrap();
        assert!(microsoft
            .starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"));
        assert_eq!(
            value(&query(&microsoft), "scope"),
            Some("openid email profile User.Read")
        );
    }

    #[test]
    fn a_code_exchange_reads_the_identity_and_a_refused_code_is_refused() {
        let identify_with = |http: &Canned| {
            block_on(identify(
                IdentityProvider::Google,
                &urls(),
                &registration(),
                "https://slots.example/auth/google/callback",
                "code-1",
                &"a".repeat(64),
                http,
            ))
        };
        let http = Canned::new(&[
            (200, r#"{"access_token":"ya29.a","token_type":"Bearer"}"#),
            (200, r#"{"sub":"1234","email":"ana@example.com"}"#),
        ]);
        assert_eq!(identify_with(&http).unwrap().subject, "1234");
        let sent = http.sent.borrow();
        let form = String::from_utf8(sent[0].body().clone()).unwrap();
        assert!(form.contains("client_secret=s3cret"), "{form}");
        assert_eq!(
            sent[1].headers().get(header::AUTHORIZATION).unwrap(),
            "Bearer ya29.a"
        );

        let refused = Canned::new(&[(400, r#"{"error":"invalid_grant"}"#)]);
        assert_eq!(
            identify_with(&refused),
            Err(IdentityError::Refused("invalid_grant".into()))
        );
    }

    #[test]
    fn google_userinfo_maps_to_an_identity() {
        let body = br#"{"sub":"1234","name":"Ana Lima","given_name":"Ana",
            "email":"Ana@Example.COM","email_verified":true}"#;
        let identity = identity_from_userinfo(IdentityProvider::Google, body).unwrap();
        assert_eq!(identity.subject, "1234");
        assert_eq!(identity.email.as_str(), "Ana@example.com");
        assert!(identity.email_verified);
        assert_eq!(identity.name.unwrap().as_str(), "Ana Lima");
        let unverified = br#"{"sub":"1","email":"bo@example.com"}"#;
        assert!(
            !identity_from_userinfo(IdentityProvider::Google, unverified)
                .unwrap()
                .email_verified
        );
    }

    #[test]
    fn graph_me_prefers_mail_and_trusts_only_the_principal_name() {
        let body = br#"{"id":"0a1b","displayName":"Bo Chen","mail":"bo@contoso.example",
            "userPrincipalName":"bo@contoso.example"}"#;
        let identity = identity_from_userinfo(IdentityProvider::Microsoft, body).unwrap();
        assert_eq!(identity.subject, "0a1b");
        assert_eq!(identity.email.as_str(), "bo@contoso.example");
        assert!(identity.email_verified);
        assert_eq!(identity.name.unwrap().as_str(), "Bo Chen");

        let no_mail = br#"{"id":"0a1b","mail":null,"userPrincipalName":"bo@contoso.example"}"#;
        let identity = identity_from_userinfo(IdentityProvider::Microsoft, no_mail).unwrap();
        assert_eq!(identity.email.as_str(), "bo@contoso.example");
        assert!(identity.email_verified);
        assert_eq!(identity.name, None);

        // An administrator can put any address in `mail`: usable, but not verified.
        let spoofed = br#"{"id":"9","mail":"ceo@victim.example",
            "userPrincipalName":"mallory@evil.onmicrosoft.com"}"#;
        let identity = identity_from_userinfo(IdentityProvider::Microsoft, spoofed).unwrap();
        assert_eq!(identity.email.as_str(), "ceo@victim.example");
        assert!(!identity.email_verified);
    }

    #[test]
    fn identities_without_subject_or_email_are_refused() {
        assert_eq!(
            identity_from_userinfo(IdentityProvider::Google, br#"{"email":"a@b.example"}"#),
            Err(IdentityError::Unusable("an account id"))
        );
        assert_eq!(
            identity_from_userinfo(IdentityProvider::Microsoft, br#"{"id":"1"}"#),
            Err(IdentityError::Unusable("an email address"))
        );
        assert!(matches!(
            identity_from_userinfo(IdentityProvider::Google, b"<html>"),
            Err(IdentityError::Unreachable(_))
        ));
    }

    #[test]
    fn providers_round_trip_through_their_names() {
        for provider in IdentityProvider::ALL {
            assert_eq!(IdentityProvider::parse(provider.as_str()), Some(provider));
        }
        assert_eq!(IdentityProvider::parse("zoom"), None);
    }
}
