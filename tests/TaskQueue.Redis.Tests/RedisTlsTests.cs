using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>A redis-server that speaks TLS only, with a server certificate from a certificate authority made for the test run.</summary>
public sealed class RedisTlsServer : IAsyncLifetime
{
    private RedisServerProcess? server;

    /// <summary>The authority that signed the server's certificate; no trust store knows it.</summary>
    public TestCertificateAuthority Authority { get; } = TestCertificateAuthority.Create();

    /// <summary>Another authority, which signed nothing this server shows.</summary>
    public TestCertificateAuthority Stranger { get; } = TestCertificateAuthority.Create("Some other CA");

    /// <summary>The server.</summary>
    public RedisServerProcess Server => server ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <inheritdoc />
    public async Task InitializeAsync() => server = await RedisServerProcess.StartWithTlsAsync(Authority);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        Authority.Dispose();
        Stranger.Dispose();
    }
}

/// <summary>TaskQueue over TLS: the certificate check reaches both of the storage's connections, and a client that does not trust the server's authority gets nowhere.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTlsTests(RedisTlsServer redis) : IClassFixture<RedisTlsServer>
{
    [Fact]
    public async Task An_application_runs_end_to_end_over_tls_trusting_only_the_servers_authority()
    {
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = redis.Server.ConnectionString,
            ApplicationName = RedisServerFixture.NewApplicationName(),
            ConfigureConnection = c => c.CertificateValidation += redis.Authority.ValidateServerCertificate,
        });
        await RedisRoundTrip.RunAsync(storage);
    }

    [Fact]
    public async Task Trusting_the_authority_by_its_certificate_file_is_enough()
    {
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = redis.Server.ConnectionString,
            ApplicationName = RedisServerFixture.NewApplicationName(),
            ConfigureConnection = c => c.TrustIssuer(redis.Authority.CertificateFile),
        });
        await RedisRoundTrip.RunOneAsync(storage);
    }

    [Fact]
    public async Task A_storage_given_a_connection_waits_with_the_certificate_check_of_its_options()
    {
        var configuration = ConfigurationOptions.Parse(redis.Server.ConnectionString);
        configuration.CertificateValidation += redis.Authority.ValidateServerCertificate;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        await using var storage = new RedisStorage(connection, new RedisStorageOptions
        {
            ApplicationName = RedisServerFixture.NewApplicationName(),
            ConfigureConnection = c => c.CertificateValidation += redis.Authority.ValidateServerCertificate,
        });
        await RedisRoundTrip.RunOneAsync(storage);
    }

    [Fact]
    public async Task A_client_that_trusts_only_the_machines_authorities_cannot_connect()
    {
        await AssertCannotConnectAsync(null);
    }

    [Fact]
    public async Task A_client_that_trusts_another_authority_cannot_connect()
    {
        await AssertCannotConnectAsync(c => c.CertificateValidation += redis.Stranger.ValidateServerCertificate);
    }

    [Fact]
    public async Task A_client_that_trusts_another_authoritys_certificate_file_cannot_connect()
    {
        await AssertCannotConnectAsync(c => c.TrustIssuer(redis.Stranger.CertificateFile));
    }

    [Fact]
    public async Task The_server_speaks_no_plain_text()
    {
        var plain = redis.Server.ConnectionString.Replace(",ssl=true", "", StringComparison.Ordinal) + ",abortConnect=true,connectRetry=1,connectTimeout=2000";
        await Assert.ThrowsAsync<RedisConnectionException>(() => RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = plain }));
    }

    private async Task AssertCannotConnectAsync(Action<ConfigurationOptions>? configure)
    {
        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = redis.Server.ConnectionString + ",abortConnect=true,connectRetry=1,connectTimeout=2000",
            ConfigureConnection = configure,
        }));
        Assert.Equal(ConnectionFailureType.AuthenticationFailure, e.FailureType);
    }
}
