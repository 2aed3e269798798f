using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web;

/// <summary>A message shown once on the next page, carried across a redirect in a short-lived encrypted cookie.</summary>
internal sealed record StatusMessage(string Severity, string Text)
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Info = "info";
    private const string CookieName = "Portal.Status";
    private const string Purpose = "Portal.StatusMessage.v1";

    public static void Set(HttpContext http, StatusMessage message)
    {
        var protector = http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        http.Response.Cookies.Append(CookieName, protector.Protect(JsonSerializer.Serialize(message)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromMinutes(5),
            IsEssential = true,
        });
    }

    /// <summary>Reads and removes the message; only possible while the response has not started (static rendering).</summary>
    public static StatusMessage? Take(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value) || http.Response.HasStarted)
        {
            return null;
        }
        http.Response.Cookies.Delete(CookieName);
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
