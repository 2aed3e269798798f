using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Core.Configuration;

/// <summary>A section of the operator's settings that the portal reads, and the keys it reads there besides <paramref name="OptionsType"/>'s.</summary>
public sealed record SettingsSection(string Name, Type OptionsType, IReadOnlyCollection<string> AlsoRead);

public static class SettingsSections
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated at start, and remembers the section
    /// so that <see cref="Unread"/> can point out a key in it that nothing reads.
    /// </summary>
    /// <param name="alsoRead">Keys of the section read directly from the configuration (older names kept working).</param>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, string section, params string[] alsoRead)
        where TOptions : class
    {
        services.AddSingleton(new SettingsSection(section, typeof(TOptions), alsoRead));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>Binds <see cref="PortalOptions"/>; <c>TrustedProxies</c> may also be one comma- or space-separated value.</summary>
    public static OptionsBuilder<PortalOptions> AddPortalOptions(this IServiceCollection services) =>
        services.AddSettings<PortalOptions>(PortalOptions.Section).Configure<IConfiguration>((options, configuration) =>
        {
            // An environment variable holds one string (Portal__TrustedProxies=10.0.0.0/8,192.168.1.5), which the binder
            // would silently drop for a list: so the list may also be written as one comma- or space-separated value,
            // which replaces the list (an operator narrowing it from the environment must not keep trusting the rest). An
            // empty value cannot empty it: appsettings.json's [] reads as one too.
            if (configuration[$"{PortalOptions.Section}:{nameof(PortalOptions.TrustedProxies)}"] is { Length: > 0 } written)
            {
                options.TrustedProxies = [.. written.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            }
        });

    /// <summary>
    /// The keys in the portal's sections that no setting reads, each with the setting it probably meant: the binder
    /// ignores them, so a misspelt <c>Sessions:IdleTimout</c> would silently leave the default in place. Also a section
    /// whose name is one or two letters from one of the portal's. Only names, never values.
    /// </summary>
    public static IReadOnlyList<string> Unread(IConfiguration configuration, IEnumerable<SettingsSection> sections)
    {
        var known = sections.ToList();
        var problems = new List<string>();
        foreach (var section in known)
        {
            Walk(configuration.GetSection(section.Name), section.OptionsType, section.AlsoRead, problems);
        }
        var names = known.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var top in configuration.GetChildren())
        {
            if (top.Value is null && !names.Contains(top.Key, StringComparer.OrdinalIgnoreCase) && Closest(top.Key, names) is { } meant)
            {
                problems.Add($"The settings section {top.Key} is not one the portal reads, so its settings have no effect. Did you mean {meant}?");
            }
        }
        return problems;
    }

    private static void Walk(IConfigurationSection section, Type type, IReadOnlyCollection<string> alsoRead, List<string> problems)
    {
        var properties = type.GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToList();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                if (IsNestedSettings(property.PropertyType))
                {
                    Walk(child, property.PropertyType, [], problems);
                }
                continue;
            }
            if (alsoRead.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            var candidates = properties.Select(p => p.Name).Concat(alsoRead).ToList();
            var hint = Closest(child.Key, candidates) is { } meant ? $" Did you mean {section.Path}:{meant}?" : $" The settings there are {string.Join(", ", candidates)}.";
            problems.Add($"The setting {child.Path} is not one the portal reads, so it has no effect.{hint}");
        }
    }

    private static bool IsNestedSettings(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    /// <summary>The candidate at most two edits away (a third of the name for short ones), if there is exactly one nearest.</summary>
    private static string? Closest(string name, IEnumerable<string> candidates)
    {
        var scored = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(name.ToUpperInvariant(), c.ToUpperInvariant())))
            .Where(x => x.Distance <= Math.Min(2, Math.Max(1, x.Candidate.Length / 3)))
            .OrderBy(x => x.Distance)
            .ToList();
        return scored.Count > 0 && (scored.Count == 1 || scored[1].Distance > scored[0].Distance) ? scored[0].Candidate : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
