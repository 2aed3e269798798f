using Duende.IdentityModel.Client;

namespace Portal.Core.OAuth;

/// <summary>Bitbucket's OAuth 2 error codes in words that name the cause and the fix.</summary>
public static class OAuthErrorMessages
{
    /// <summary>An <c>error</c> Bitbucket sent back to the callback (the authorize step).</summary>
    public static string ForAuthorizeError(string error, string? description) => error switch
    {
        "access_denied" => "You declined the access request in Bitbucket, so you were not signed in. Sign in again and choose Allow.",
        "invalid_scope" => "Bitbucket refused the requested permission (Repositories: Read). An administrator must edit the application link in Bitbucket and select Repositories: Read.",
        "unsupported_response_type" => "Bitbucket refused the sign-in request type. Check that the application link is an External application with direction Incoming.",
        "invalid_request" => "Bitbucket refused the sign-in request as incomplete. Check that the application link's Redirect URL is exactly the Callback URL / Redirect URL the portal shows.",
        "unauthorized_client" => "Bitbucket says this application link may not use sign-in. An administrator should check the link's settings in Bitbucket.",
        "server_error" or "temporarily_unavailable" => "Bitbucket had a problem handling the sign-in. Try again in a moment; if it persists, ask a Bitbucket administrator to check its logs.",
        _ => $"Bitbucket refused the sign-in ({error}{(string.IsNullOrWhiteSpace(description) ? "" : $": {description}")}). Ask an administrator to check the integration.",
    };

    /// <summary>The OAuth error code of a refused token request: from its JSON body, else from a protocol error.</summary>
    public static string? ErrorCodeOf(TokenResponse response) =>
        response.Json?.TryGetString("error") ?? (response.ErrorType == ResponseErrorType.Protocol ? response.Error : null);

    /// <summary>An error from the token endpoint (the token step).</summary>
    public static string ForTokenError(string? error, int? httpStatus) => error switch
    {
        "invalid_client" => "Bitbucket rejected the client secret: copy the Client ID and Client Secret again from the application link and update the integration.",
        "invalid_grant" => "Bitbucket refused the sign-in code: it was already used, or the Redirect URL in the application link differs from the portal's Callback URL / Redirect URL. Sign in again; if it keeps failing, compare the two URLs.",
        "invalid_request" => "Bitbucket refused the sign-in code as unknown or expired (its codes are valid for a few seconds). Sign in again.",
        "unsupported_grant_type" => "Bitbucket does not accept this kind of token request. Check that the application link uses OAuth 2 (External application).",
        null => $"Bitbucket's token endpoint answered HTTP {httpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} without an OAuth error. Check that the base URL points at Bitbucket itself and not at a proxy or login page.",
        _ => $"Bitbucket refused the token request ({error}). Ask an administrator to check the integration.",
    };
}
