using Portal.Core;
using Portal.Features.Integrations;
using Portal.Features.Setup;
using Portal.Features.SignIn;
using Portal.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddOperatorSettings();
builder.Services.AddPortalCore(builder.Environment.ContentRootPath);
builder.AddPortalWeb();
builder.Services.AddSetupMode();
builder.Services.AddIntegrationsFeature();

var app = builder.Build();
app.UsePortalWeb();
app.MapSetupEndpoints();
app.MapSignInEndpoints();
app.MapPortalPages();
await app.RunPortalAsync(args);

public partial class Program;
