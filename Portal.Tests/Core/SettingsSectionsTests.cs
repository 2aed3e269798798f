using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Sessions;

namespace Portal.Tests.Core;

public sealed class SettingsSectionsTests
{
    private static readonly SettingsSection[] Sections =
    [
        new(PortalSessionOptions.Section, typeof(PortalSessionOptions), []),
        new("Bitbucket", typeof(NestedSettings), ["TrustedCaFile"]),
    ];

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void A_misspelt_key_is_named_with_the_setting_it_probably_meant()
    {
        var unread = SettingsSections.Unread(Configuration(("Sessions:IdleTimout", "01:00:00"), ("Sessions:AbsoluteLifetime", "1.00:00:00")), Sections);

        Assert.Equal(["The setting Sessions:IdleTimout is not one the portal reads, so it has no effect. Did you mean Sessions:IdleTimeout?"], unread);
    }

    [Fact]
    public void Keys_the_settings_read_in_any_letter_case_and_keys_read_directly_are_not_named()
    {
        var unread = SettingsSections.Unread(Configuration(
            ("sessions:idletimeout", "01:00:00"), ("Bitbucket:TrustedCaFile", "/etc/ca.pem"), ("Bitbucket:Inner:Limit", "3"),
            ("Bitbucket:Names:0", "a"), ("Logging:LogLevel:Default", "Warning"), ("PATH", "/usr/bin")), Sections);

        Assert.Empty(unread);
    }

    [Fact]
    public void A_key_nothing_resembles_lists_the_settings_of_its_section()
    {
        var unread = SettingsSections.Unread(Configuration(("Bitbucket:Inner:Colour", "red")), Sections);

        Assert.Equal(["The setting Bitbucket:Inner:Colour is not one the portal reads, so it has no effect. The settings there are Limit."], unread);
    }

    [Fact]
    public void A_misspelt_section_is_named_but_other_programs_sections_are_not()
    {
        var unread = SettingsSections.Unread(Configuration(("Sesions:IdleTimeout", "01:00:00"), ("Kestrel:Limits:MaxRequestBodySize", "10")), Sections);

        Assert.Equal(["The settings section Sesions is not one the portal reads, so its settings have no effect. Did you mean Sessions?"], unread);
    }

    [Theory]
    [InlineData("10.0.0.0/8,192.168.1.5")]
    [InlineData("10.0.0.0/8 192.168.1.5")]
    [InlineData(" 10.0.0.0/8 ; 192.168.1.5 ")]
    public void Trusted_proxies_may_be_one_value_as_an_environment_variable_gives_them(string written)
    {
        var services = new ServiceCollection().AddSingleton(Configuration(("Portal:PublicUrl", "https://portal.example.com"), ("Portal:TrustedProxies", written)));
        services.AddPortalOptions();

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<PortalOptions>>().Value;

        Assert.Equal(["10.0.0.0/8", "192.168.1.5"], options.TrustedProxies);
    }

    [Theory]
    [InlineData("192.168.1.5", new[] { "192.168.1.5" })]
    [InlineData("", new[] { "10.0.0.1" })] // what appsettings.json's [] gives, too
    public void One_value_replaces_the_file_s_list_so_the_environment_can_narrow_it(string written, string[] expected)
    {
        var services = new ServiceCollection().AddSingleton(Configuration(("Portal:PublicUrl", "https://portal.example.com"),
            ("Portal:TrustedProxies:0", "10.0.0.1"), ("Portal:TrustedProxies", written)));
        services.AddPortalOptions();

        Assert.Equal(expected, services.BuildServiceProvider().GetRequiredService<IOptions<PortalOptions>>().Value.TrustedProxies);
    }

    private sealed class NestedSettings
    {
        public InnerSettings Inner { get; set; } = new();
        public List<string> Names { get; set; } = [];
    }

    private sealed class InnerSettings
    {
        public int Limit { get; set; }
    }
}
