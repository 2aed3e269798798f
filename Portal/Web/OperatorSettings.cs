using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Portal.Web;

internal static class OperatorSettings
{
    /// <summary>
    /// Reads the repository-root appsettings.json (the operator's one file) when running from source, right after the
    /// content root's own appsettings files, so environment variables and the command line still override it.
    /// </summary>
    public static void AddOperatorSettings(this WebApplicationBuilder builder)
    {
        var candidates = new[]
        {
            Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, "..", "appsettings.json")),
            Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
        };
        var file = candidates.FirstOrDefault(File.Exists);
        var ownFile = Path.Combine(builder.Environment.ContentRootPath, "appsettings.json");
        if (file is null || File.Exists(ownFile))
        {
            return;
        }
        var sources = builder.Configuration.Sources;
        var afterDefaults = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is JsonConfigurationSource).i + 1;
        sources.Insert(afterDefaults, new JsonConfigurationSource
        {
            Path = Path.GetFileName(file),
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(file)!),
            Optional = false,
            ReloadOnChange = false,
        });
    }
}
