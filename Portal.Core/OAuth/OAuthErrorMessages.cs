using System.Globalization;
using Duende.IdentityModel.Client;
using Portal.Core.OAuth.AuthorizationCode;

namespace Portal.Core.OAuth;

/// <summary>Bitbucket's OAuth 2 error codes in words that name the cause and the fix, for administrators.</summary>
public static class OAuthErrorMessages
{
    /// <summary>
    /// An <c>error</c> the browser brought back to the callback (the authorize step). Anyone can send any value, so an
    /// unknown code is not repeated, and the accompanying <c>error_description</c> is never read.
    /// </summary>
    public static (SignInErrorKind Kind, string Message) ForAuthorizeError(string error) => error switch
    {
        "access_denied" => (SignInErrorKind.UserDeclined,
            "The user declined the access request in Bitbucket (access_denied), so nobody was signed in. Sign in again and choose Allow."),
        "invalid_scope" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket refused the requested permission, Repositories: Read (invalid_scope). Edit the application link in Bitbucket and select Repositories: Read."),
        "unsupported_response_type" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket refused the sign-in request type (unsupported_response_type). Check that the application link is an External application with direction Incoming."),
        "invalid_request" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket refused the sign-in request as incomplete (invalid_request). Check that the application link's Redirect URL is exactly the Callback URL / Redirect URL the portal shows."),
        "unauthorized_client" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket says this application link may not use sign-in (unauthorized_client). Check the link's settings in Bitbucket > Administration > Application Links."),
        "server_error" or "temporarily_unavailable" => (SignInErrorKind.BitbucketUnavailable,
            $"Bitbucket had a problem handling the sign-in ({error}). Try again in a moment; if it persists, check Bitbucket's log (atlassian-bitbucket.log)."),
        _ => (SignInErrorKind.CallbackInvalid,
            "The browser came back from Bitbucket with an OAuth error the portal does not know, so the sign-in stopped (the value is not shown, because anyone can put one in the link). If this repeats, look at Bitbucket's log (atlassian-bitbucket.log) at that time."),
    };

    /// <summary>The OAuth error code of a refused token request: from its JSON body, else from a protocol error.</summary>
    public static string? ErrorCodeOf(TokenResponse response) =>
        response.Json?.TryGetString("error") ?? (response.ErrorType == ResponseErrorType.Protocol ? response.Error : null);

    /// <summary>An error from the token endpoint (the token step).</summary>
    public static (SignInErrorKind Kind, string Message) ForTokenError(string? error, int? httpStatus) => error switch
    {
        "invalid_client" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket rejected the client secret: copy the Client ID and Client Secret again from the application link and update the integration."),
        "invalid_grant" => (SignInErrorKind.CodeRejected,
            "Bitbucket refused the sign-in code (invalid_grant): it was already used, or the Redirect URL in the application link differs from the portal's Callback URL / Redirect URL. Sign in again; if it keeps failing, compare the two URLs."),
        "invalid_request" => (SignInErrorKind.CodeRejected,
            "Bitbucket refused the sign-in code as unknown or expired (invalid_request; its codes are valid for a few seconds). Sign in again."),
        "unsupported_grant_type" => (SignInErrorKind.IntegrationMisconfigured,
            "Bitbucket does not accept this kind of token request (unsupported_grant_type). Check that the application link uses OAuth 2 (External application)."),
        null when httpStatus >= 500 => (SignInErrorKind.BitbucketUnavailable,
            $"Bitbucket's token endpoint answered HTTP {Status(httpStatus)} without an OAuth error: Bitbucket or a proxy in front of it failed. Check that Bitbucket is up and look at its log (atlassian-bitbucket.log), then try again."),
        null => (SignInErrorKind.IntegrationMisconfigured,
            $"Bitbucket's token endpoint answered HTTP {Status(httpStatus)} without an OAuth error. Check that the base URL points at Bitbucket itself and not at a proxy or login page."),
        _ => (SignInErrorKind.IntegrationMisconfigured,
            $"Bitbucket refused the token request ({OAuthErrorCodes.Known(error) ?? "with an error code the portal does not know"}). Check the application link in Bitbucket and Bitbucket's log (atlassian-bitbucket.log)."),
    };

    private static string Status(int? httpStatus) => httpStatus?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
