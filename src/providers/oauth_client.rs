//! The `oauth2` client that signing in (`identity`) and connecting (`connect`) both use: built
//! from our registration and one provider's endpoints, and one reading of what a token
//! endpoint's failure means. Each flow keeps its own error enum and converts from
//! [`OAuthError`], so the two cannot drift apart on what `invalid_grant` means.

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse,
};
use oauth2::{
    AuthType, AuthUrl, Client, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RedirectUrl,
    RequestTokenError, StandardRevocableToken, TokenResponse, TokenUrl,
};

use crate::config::OAuthClient;

/// An `oauth2` client with the authorize and token endpoints set, answering with token
/// responses of type `TR` (connecting reads an `id_token` the basic response drops).
pub type OAuthClientFor<TR> = Client<
    BasicErrorResponse,
    TR,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where one provider's authorization-code flow happens and how it wants our secret.
pub struct Endpoints<'a> {
    /// The consent page the browser is sent to.
    pub authorize: String,
    /// Where codes and refresh tokens are traded for tokens.
    pub token: String,
    /// Where the provider sends the browser back; a refresh needs none.
    pub redirect: Option<&'a str>,
    /// Whether the secret goes in the form body or a Basic header.
    pub auth_type: AuthType,
}

/// Why talking to a provider's OAuth endpoints failed, before a flow says what that means
/// for the person in front of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthError {
    /// A URL in the configuration or the redirect URI is unusable (an operator's mistake).
    Endpoint(String),
    /// The token endpoint answered `invalid_grant`: the code or refresh token is no good.
    InvalidGrant,
    /// The provider could not be reached or answered nonsense: try again later.
    Unreachable(String),
}

/// The client for `registration` at `endpoints`.
pub fn client<TR: TokenResponse>(
    registration: &OAuthClient,
    endpoints: Endpoints<'_>,
) -> Result<OAuthClientFor<TR>, OAuthError> {
    let bad = |e: oauth2::url::ParseError| OAuthError::Endpoint(e.to_string());
    let client = Client::new(ClientId::new(registration.id.clone()))
        .set_client_secret(ClientSecret::new(registration.secret.clone()))
        .set_auth_type(endpoints.auth_type)
        .set_auth_uri(AuthUrl::new(endpoints.authorize).map_err(bad)?)
        .set_token_uri(TokenUrl::new(endpoints.token).map_err(bad)?);
    Ok(match endpoints.redirect {
        Some(uri) => client.set_redirect_uri(RedirectUrl::new(uri.to_owned()).map_err(bad)?),
        None => client,
    })
}

/// What a failed token request (code exchange or refresh) means: only `invalid_grant` says
/// the grant itself is gone; every other answer is the provider's trouble, not the person's.
pub fn token_error<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, BasicErrorResponse>,
) -> OAuthError {
    match error {
        RequestTokenError::ServerResponse(response) => match response.error() {
            BasicErrorResponseType::InvalidGrant => OAuthError::InvalidGrant,
            other => OAuthError::Unreachable(format!("token endpoint said {other}")),
        },
        RequestTokenError::Request(e) => OAuthError::Unreachable(e.to_string()),
        RequestTokenError::Parse(e, _) => OAuthError::Unreachable(format!("token response: {e}")),
        RequestTokenError::Other(e) => OAuthError::Unreachable(e),
    }
}
