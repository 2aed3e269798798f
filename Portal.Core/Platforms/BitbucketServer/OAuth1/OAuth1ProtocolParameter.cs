namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>Names of the OAuth 1.0a protocol parameters and response fields this client uses.</summary>
public static class OAuth1ProtocolParameter
{
    public const string ConsumerKey = "oauth_consumer_key";
    public const string Token = "oauth_token";
    public const string TokenSecret = "oauth_token_secret";
    public const string SignatureMethod = "oauth_signature_method";
    public const string Signature = "oauth_signature";
    public const string Timestamp = "oauth_timestamp";
    public const string Nonce = "oauth_nonce";
    public const string Version = "oauth_version";
    public const string Callback = "oauth_callback";
    public const string CallbackConfirmed = "oauth_callback_confirmed";
    public const string Verifier = "oauth_verifier";
    public const string ExpiresIn = "oauth_expires_in";
    public const string SessionHandle = "oauth_session_handle";
    public const string AuthorizationExpiresIn = "oauth_authorization_expires_in";
    public const string Problem = "oauth_problem";
    public const string ProblemAdvice = "oauth_problem_advice";
    public const string AcceptableTimestamps = "oauth_acceptable_timestamps";
    public const string ParametersAbsent = "oauth_parameters_absent";
    public const string ParametersRejected = "oauth_parameters_rejected";
}
