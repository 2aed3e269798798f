using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Portal.Tests.Infrastructure;

/// <summary>bUnit with MudBlazor's services. xunit v2 only calls Dispose, so the context is disposed asynchronously here.</summary>
public abstract class MudTestBase : IAsyncLifetime
{
    protected MudTestBase()
    {
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        Ctx.Services.AddMudServices();
#pragma warning disable CA2214 // Derived classes' field initializers have run by now; registration must precede the first resolve.
        ConfigureServices(Ctx.Services);
#pragma warning restore CA2214
        Auth = Ctx.AddAuthorization();
#pragma warning disable CA2214
        ReplaceServices(Ctx.Services);
#pragma warning restore CA2214
        Ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected BunitContext Ctx { get; } = new();

    /// <summary>Anonymous until a test says otherwise.</summary>
    protected BunitAuthorizationContext Auth { get; }

    /// <summary>Registers the services the components under test need, before anything is resolved.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Replaces services the test context registers itself (such as its authorization service).</summary>
    protected virtual void ReplaceServices(IServiceCollection services)
    {
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Ctx.DisposeAsync();
}
