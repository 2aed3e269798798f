using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// A Bitbucket Data Center / Server version as reported by <c>/rest/api/1.0/application-properties</c>,
/// for example <c>8.9.1</c> or <c>7.21.0-rc1</c>. A pre-release sorts before its release.
/// </summary>
/// <param name="Major">The major version, e.g. 8.</param>
/// <param name="Minor">The minor version, e.g. 9.</param>
/// <param name="Patch">The patch version, e.g. 1; 0 when the text had only two parts.</param>
/// <param name="PreRelease">The part after '-', e.g. <c>rc1</c>, or <c>null</c> for a release.</param>
public readonly partial record struct BitbucketVersion(int Major, int Minor, int Patch, string? PreRelease) : IComparable<BitbucketVersion>
{
    /// <summary>Parses <c>major.minor[.patch][-prerelease]</c>; a leading <c>v</c> and surrounding whitespace are accepted.</summary>
    public static bool TryParse(string? text, out BitbucketVersion version)
    {
        version = default;
        if (text is null)
        {
            return false;
        }
        var match = VersionRegex().Match(text.Trim());
        if (!match.Success
            || !TryParsePart(match.Groups["major"].Value, out var major)
            || !TryParsePart(match.Groups["minor"].Value, out var minor))
        {
            return false;
        }
        var patch = 0;
        if (match.Groups["patch"].Success && !TryParsePart(match.Groups["patch"].Value, out patch))
        {
            return false;
        }
        var preRelease = match.Groups["pre"].Success ? match.Groups["pre"].Value : null;
        version = new BitbucketVersion(major, minor, patch, preRelease);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(BitbucketVersion other)
    {
        var result = Major.CompareTo(other.Major);
        if (result == 0) result = Minor.CompareTo(other.Minor);
        if (result == 0) result = Patch.CompareTo(other.Patch);
        if (result == 0) result = ComparePreRelease(PreRelease, other.PreRelease);
        return result;
    }

    /// <summary>The version as Bitbucket writes it: <c>8.9.1</c> or <c>7.21.0-rc1</c>.</summary>
    public override string ToString() => PreRelease is null
        ? string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}")
        : string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}-{PreRelease}");

    public static bool operator <(BitbucketVersion left, BitbucketVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(BitbucketVersion left, BitbucketVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(BitbucketVersion left, BitbucketVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(BitbucketVersion left, BitbucketVersion right) => left.CompareTo(right) >= 0;

    /// <summary>Semantic-versioning precedence: no pre-release beats any pre-release; dot-separated identifiers
    /// compare numerically when both are numbers, otherwise ordinally.</summary>
    private static int ComparePreRelease(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return (left is null).CompareTo(right is null);
        }
        var leftParts = left.Split('.');
        var rightParts = right.Split('.');
        for (var i = 0; i < Math.Min(leftParts.Length, rightParts.Length); i++)
        {
            var leftIsNumber = long.TryParse(leftParts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var leftNumber);
            var rightIsNumber = long.TryParse(rightParts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var rightNumber);
            var result = (leftIsNumber, rightIsNumber) switch
            {
                (true, true) => leftNumber.CompareTo(rightNumber),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(leftParts[i], rightParts[i]),
            };
            if (result != 0)
            {
                return result;
            }
        }
        var lengthResult = leftParts.Length.CompareTo(rightParts.Length);
        // Keeps CompareTo consistent with equality when identifiers differ only in leading zeros.
        return lengthResult != 0 ? lengthResult : string.CompareOrdinal(left, right);
    }

    private static bool TryParsePart(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    [GeneratedRegex(@"^[vV]?(?<major>\d+)\.(?<minor>\d+)(?:\.(?<patch>\d+))?(?:-(?<pre>[0-9A-Za-z][0-9A-Za-z.\-]*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();
}
