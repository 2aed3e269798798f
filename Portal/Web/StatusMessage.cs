using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web;

/// <summary>A message shown once on the next page, carried across a redirect in a short-lived encrypted cookie.</summary>
internal sealed record StatusMessage(string Severity, string Text)
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Info = "info";
    private const string Purpose = "Portal.StatusMessage.v1";

    public static void Set(HttpContext http, StatusMessage message)
    {
        var protector = http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        var cookies = PortalCookies.Of(http);
        var options = cookies.For(http);
        options.MaxAge = TimeSpan.FromMinutes(5);
        http.Response.Cookies.Append(cookies.Status, protector.Protect(JsonSerializer.Serialize(message)), options);
    }

    /// <summary>Reads and removes the message; only possible while the response has not started (static rendering).</summary>
    public static StatusMessage? Take(HttpContext http)
    {
        var cookies = PortalCookies.Of(http);
        if (!http.Request.Cookies.TryGetValue(cookies.Status, out var value) || http.Response.HasStarted)
        {
            return null;
        }
        http.Response.Cookies.Delete(cookies.Status, cookies.For(http));
        try
        {
            var protector = http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
            return JsonSerializer.Deserialize<StatusMessage>(protector.Unprotect(value));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }
}
