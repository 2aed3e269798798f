using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Benchmarks;

/// <summary>Work done on every keystroke of the Base URL field and on every OAuth 1 request.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly RSA key = RSA.Create(2048);
    private OAuth1Credentials credentials = null!;
    private readonly OAuth1Signer signer = new(TimeProvider.System);
    private readonly Uri url = new("https://bitbucket.example.com/bitbucket/rest/api/1.0/users?filter=ada%40example.com&avatarSize=64");

    [GlobalSetup]
    public void Setup() => credentials = new OAuth1Credentials(new OAuth1Consumer("portal-0123456789abcdef", key), "token", "secret");

    [GlobalCleanup]
    public void Cleanup() => key.Dispose();

    [Benchmark]
    public BaseUrlNormalization NormalizeBaseUrl() => BaseUrlNormalizer.Normalize("  HTTPS://Bitbucket.Example.com:443/bitbucket/?x=1#top ");

    [Benchmark]
    public string SignOAuth1RequestRsaSha1() => signer.CreateAuthorizationHeader(HttpMethod.Get, url, null, credentials);
}
