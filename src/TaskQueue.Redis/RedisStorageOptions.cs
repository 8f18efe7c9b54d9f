using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>Where <see cref="RedisStorage"/> connects and whose keys it uses.</summary>
/// <example>
/// <code>
/// await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
/// {
///     ConnectionString = "redis.internal:6380,user=taskqueue,password=...,ssl=true,defaultDatabase=2",
///     ApplicationName = "beans",
/// });
/// </code>
/// </example>
public sealed class RedisStorageOptions
{
    /// <summary>
    /// The application name: every key lives under the hash tag <c>{tq:&lt;name&gt;}</c>, so
    /// applications sharing one Redis never see each other's tasks. Default <c>default</c>.
    /// </summary>
    public string ApplicationName { get; set; } = "default";

    /// <summary>
    /// A StackExchange.Redis connection string: endpoints and options such as <c>password=</c>,
    /// <c>user=</c>, <c>ssl=true</c>, <c>defaultDatabase=</c>. Unless the string says otherwise, the
    /// connection does not fail at start when Redis is down (<c>abortConnect=false</c>) and
    /// reconnects by itself; commands issued while it is down fail at once rather than queueing.
    /// Give either this or <see cref="Configuration"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The connection as a configuration object, made by the caller. It is cloned and used as it is:
    /// the defaults described under <see cref="ConnectionString"/> are not applied. Give either this
    /// or <see cref="ConnectionString"/>; to add to a connection string what it cannot say, use
    /// <see cref="ConfigureConnection"/> instead.
    /// </summary>
    public ConfigurationOptions? Configuration { get; set; }

    /// <summary>
    /// Changes the connection's configuration after it is parsed from <see cref="ConnectionString"/>
    /// (and this storage's defaults are applied) or cloned from <see cref="Configuration"/>: for what
    /// a connection string cannot say, such as how to check the server's TLS certificate or which
    /// client certificate to present. Both of the storage's connections use the result: the one
    /// commands go through and the one waiting takes block on.
    /// </summary>
    /// <remarks>
    /// It may run more than once (<see cref="Validate"/> runs it too), each time on a fresh
    /// configuration. With a connection given to <see cref="RedisStorage(IConnectionMultiplexer, RedisStorageOptions)"/>
    /// and neither <see cref="ConnectionString"/> nor <see cref="Configuration"/>, it changes the
    /// configuration the waiting connection copies from that connection, which carries no callbacks:
    /// set the certificate check here again.
    /// </remarks>
    /// <example>
    /// A server whose certificate is signed by a private certificate authority:
    /// <code>
    /// ConnectionString = "redis.internal:6380,ssl=true,user=taskqueue,password=...",
    /// ConfigureConnection = c => c.TrustIssuer("/etc/taskqueue/redis-ca.pem"),
    /// </code>
    /// </example>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        ValidateApplicationName(ApplicationName);
        _ = BuildConfiguration();
    }

    /// <summary>Checks an application name; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    internal static void ValidateApplicationName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("RedisStorageOptions.ApplicationName must not be empty.", nameof(ApplicationName));
        }
        if (name.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException(
                $"RedisStorageOptions.ApplicationName '{name}' must not contain '{{' or '}}': it becomes the Redis hash tag {{tq:<name>}}.",
                nameof(ApplicationName));
        }
    }

    /// <summary>The StackExchange.Redis configuration these options describe, with this storage's defaults applied.</summary>
    internal ConfigurationOptions BuildConfiguration()
    {
        if (ConnectionString is not null && Configuration is not null)
        {
            throw new ArgumentException("Give RedisStorageOptions.ConnectionString or RedisStorageOptions.Configuration, not both.", nameof(ConnectionString));
        }
        ConfigurationOptions config;
        if (Configuration is not null)
        {
            config = Configuration.Clone();
        }
        else if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                "RedisStorageOptions.ConnectionString is empty: give a StackExchange.Redis connection string such as \"localhost:6379\".",
                nameof(ConnectionString));
        }
        else
        {
            try
            {
                config = ConfigurationOptions.Parse(ConnectionString);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or RedisException)
            {
                throw new ArgumentException(
                    $"RedisStorageOptions.ConnectionString is not a valid StackExchange.Redis connection string: {e.Message}",
                    nameof(ConnectionString), e);
            }
        }
        if (config.EndPoints.Count == 0)
        {
            throw new ArgumentException(
                "The Redis connection names no server: give at least one endpoint, such as \"localhost:6379\".",
                nameof(ConnectionString));
        }
        if (Configuration is null) ApplyDefaults(config, ConnectionString!);
        return Configured(config);
    }

    /// <summary><paramref name="config"/> after <see cref="ConfigureConnection"/>, if any, changed it.</summary>
    internal ConfigurationOptions Configured(ConfigurationOptions config)
    {
        ConfigureConnection?.Invoke(config);
        return config;
    }

    private static void ApplyDefaults(ConfigurationOptions config, string said)
    {
        // A worker started before Redis, or across a Redis restart, keeps trying instead of dying;
        // calls made while it is down fail fast so that the consumer's own retry loop decides.
        if (!Mentions(said, "abortConnect")) config.AbortOnConnectFail = false;
        if (!Mentions(said, "connectRetry")) config.ConnectRetry = 3;
        if (!Mentions(said, "name")) config.ClientName = "taskqueue";
        config.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5_000);
        config.BacklogPolicy = BacklogPolicy.FailFast;
    }

    private static bool Mentions(string connectionString, string keyword)
    {
        foreach (var part in connectionString.Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part.AsSpan(0, eq).Trim().Equals(keyword, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
