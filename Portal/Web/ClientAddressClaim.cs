using System.Security.Claims;

namespace Portal.Web;

/// <summary>
/// Puts the client's address (as the forwarded-headers middleware resolved it from the trusted proxies) on the request's
/// user. A Blazor circuit keeps the user of the request that opened it, so administrators' actions on an open page
/// carry the address their circuit started from; the audit log records it. The claim lives only in memory: it is added
/// to every request and never written into the cookie.
/// </summary>
internal static class ClientAddressClaim
{
    public static IApplicationBuilder UseClientAddressClaim(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Connection.RemoteIpAddress is { } address)
        {
            var mapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            http.User.AddIdentity(new ClaimsIdentity([new Claim(PortalClaims.ClientAddress, mapped.ToString())]));
        }
        return next(http);
    });
}
