namespace Portal.Tests.Fakes;

/// <summary>Crowds of Bitbucket users for tests of the user search, where one name is a substring of many entries.</summary>
public static class FakeDirectory
{
    /// <summary>
    /// User "al", whose display name sorts after every user of <see cref="UsersMatching"/>, so the search for its own
    /// name lists it last.
    /// </summary>
    public static BitbucketFakeUser Al { get; } = new(777, "al", "al", "Zoe Al", "al@example.com");

    /// <summary>
    /// <paramref name="count"/> users (ids from 1000) that all contain <paramref name="fragment"/>: a third in the name, a
    /// third in the display name, a third in the e-mail address.
    /// </summary>
    public static IReadOnlyList<BitbucketFakeUser> UsersMatching(string fragment, int count) =>
        Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => new BitbucketFakeUser(1000 + i, $"s{fragment}{i:00}", $"s{fragment}{i:00}", $"Person {i:00}", $"p{i:00}@example.com"),
            1 => new BitbucketFakeUser(1000 + i, $"user{i:00}", $"user{i:00}", $"W{fragment}ter {i:00}", $"u{i:00}@example.com"),
            _ => new BitbucketFakeUser(1000 + i, $"member{i:00}", $"member{i:00}", $"Member {i:00}", $"m{i:00}@glob{fragment}.example"),
        }).ToList();
}
