using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Core;

public class BitbucketVersionTests
{
    [Theory]
    [InlineData("7.21.0", 7, 21, 0, null)]
    [InlineData("8.9.1", 8, 9, 1, null)]
    [InlineData("9.4.22", 9, 4, 22, null)]
    [InlineData("8.19.14", 8, 19, 14, null)]
    [InlineData("10.0", 10, 0, 0, null)]
    [InlineData("7.21.0-rc1", 7, 21, 0, "rc1")]
    [InlineData(" v8.9.1 ", 8, 9, 1, null)]
    [InlineData("9.0.0-m1.beta", 9, 0, 0, "m1.beta")]
    public void Versions_are_parsed(string text, int major, int minor, int patch, string? preRelease)
    {
        Assert.True(BitbucketVersion.TryParse(text, out var version));
        Assert.Equal(new BitbucketVersion(major, minor, patch, preRelease), version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("8.x")]
    [InlineData("eight.nine")]
    [InlineData("8.9.1.2")]
    [InlineData("-8.9.1")]
    [InlineData("8.9.1-")]
    [InlineData("99999999999.0.0")]
    public void Malformed_versions_are_rejected(string? text)
    {
        Assert.False(BitbucketVersion.TryParse(text, out var version));
        Assert.Equal(default, version);
    }

    [Theory]
    [InlineData("7.21.0-rc1", "7.21.0")]
    [InlineData("7.20.5", "7.21.0")]
    [InlineData("8.9.1", "8.10.0")]
    [InlineData("9.4.3", "9.4.22")]
    [InlineData("9.4.22", "10.0")]
    [InlineData("7.21.0-rc1", "7.21.0-rc2")]
    [InlineData("7.21.0-rc.2", "7.21.0-rc.10")]
    [InlineData("7.21.0-1", "7.21.0-alpha")]
    [InlineData("7.21.0-rc", "7.21.0-rc.1")]
    public void Earlier_version_sorts_first(string earlier, string later)
    {
        var a = Parse(earlier);
        var b = Parse(later);

        Assert.True(a < b);
        Assert.True(a <= b);
        Assert.True(b > a);
        Assert.True(b >= a);
        Assert.True(a.CompareTo(b) < 0);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Pre_release_sorts_before_its_release()
    {
        Assert.True(Parse("7.21.0-rc1") < Parse("7.21.0"));
    }

    [Fact]
    public void Two_part_version_equals_its_three_part_form()
    {
        Assert.Equal(Parse("10.0.0"), Parse("10.0"));
        Assert.Equal(0, Parse("10.0").CompareTo(Parse("10.0.0")));
        Assert.True(Parse("10.0") >= Parse("10.0.0"));
    }

    [Fact]
    public void Versions_sort_in_release_order()
    {
        string[] shuffled = ["10.0", "7.21.0", "8.19.14", "7.21.0-rc1", "9.4.22", "8.9.1", "7.20.1"];

        var sorted = shuffled.Select(Parse).Order().Select(v => v.ToString());

        Assert.Equal(["7.20.1", "7.21.0-rc1", "7.21.0", "8.9.1", "8.19.14", "9.4.22", "10.0.0"], sorted);
    }

    [Theory]
    [InlineData("8.9.1", "8.9.1")]
    [InlineData("7.21.0-rc1", "7.21.0-rc1")]
    [InlineData("10.0", "10.0.0")]
    public void ToString_writes_the_version_as_Bitbucket_does(string text, string expected)
    {
        Assert.Equal(expected, Parse(text).ToString());
    }

    private static BitbucketVersion Parse(string text)
    {
        Assert.True(BitbucketVersion.TryParse(text, out var version), $"'{text}' should parse");
        return version;
    }
}
