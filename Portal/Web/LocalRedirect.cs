namespace Portal.Web;

/// <summary>Return URLs are followed only when they stay on the portal: "/path", never "//host" or "https://host".</summary>
internal static class LocalRedirect
{
    public static string Sanitize(string? returnUrl, string fallback = "/")
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2048)
        {
            return fallback;
        }
        var isLocal = returnUrl[0] == '/'
            && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            && !returnUrl.Any(char.IsControl);
        return isLocal ? returnUrl : fallback;
    }
}
