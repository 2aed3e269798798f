using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Web;

/// <summary>
/// Names and flags of every cookie the portal sets, in one place. Under an https <c>Portal:PublicUrl</c> each is Secure
/// and carries the <c>__Host-</c> prefix, so a browser accepts it only over https, for this host and path "/" alone:
/// nothing on plain http or on a sibling subdomain can plant or overwrite it.
/// </summary>
internal sealed class PortalCookies(IOptions<PortalOptions> options)
{
    private const string HostPrefix = "__Host-";

    /// <summary>Whether every cookie must be Secure (the public URL is https).</summary>
    public bool HttpsOnly
    {
        get
        {
            try
            {
                return options.Value.UsesHttps;
            }
            catch (OptionsValidationException)
            {
                // UseAntiforgery reads the antiforgery cookie's name while the pipeline is built, before the start-up
                // validation reports the wrong setting and stops the portal, which then serves no request.
                return false;
            }
        }
    }

    public string Auth => Name("Portal.Auth");

    public string Status => Name("Portal.Status");

    /// <summary>Each sign-in in flight has its own cookie: this prefix plus part of its correlation value.</summary>
    public string CorrelationPrefix => Name("Portal.Correlation.");

    public string Antiforgery => Name("Portal.Antiforgery");

    public static PortalCookies Of(HttpContext http) => http.RequestServices.GetRequiredService<PortalCookies>();

    /// <summary>The flags of a cookie the portal's own endpoints set or delete (status messages, sign-in correlation).</summary>
    public CookieOptions For(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = HttpsOnly || http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    private string Name(string name) => HttpsOnly ? HostPrefix + name : name;
}

internal static class PortalCookiesExtensions
{
    /// <summary>Names and secures the authentication and antiforgery cookies the framework sets.</summary>
    public static IServiceCollection AddPortalCookies(this IServiceCollection services)
    {
        services.AddSingleton<PortalCookies>();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<PortalCookies>((o, cookies) =>
        {
            o.Cookie.Name = cookies.Auth;
            o.Cookie.SecurePolicy = cookies.HttpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddOptions<AntiforgeryOptions>().Configure<PortalCookies>((o, cookies) =>
        {
            o.Cookie.Name = cookies.Antiforgery;
            if (cookies.HttpsOnly)
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            }
        });
        return services;
    }
}
