using System.Text.RegularExpressions;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// A private redis-server with the ACL users that src/TaskQueue.Redis/README.md documents, for
/// application <see cref="ApplicationName"/>: the user of its <c>ACL SETUSER</c> line, and a second
/// one that also has the README's optional grants. The tests run what the README tells operators to
/// run, so the two cannot drift apart.
/// </summary>
public sealed partial class RedisAclServer : IAsyncLifetime
{
    /// <summary>The application the users may touch.</summary>
    public const string ApplicationName = "acl";

    /// <summary>The application and the password placeholder the README's lines are written for.</summary>
    private const string DocumentedApplication = "shop", DocumentedPassword = "CHANGE-ME";

    private readonly string password = Guid.NewGuid().ToString("N");
    private RedisServerProcess? server;
    private ConnectionMultiplexer? admin;
    private ConnectionMultiplexer? user;

    /// <summary>What the README documents.</summary>
    public DocumentedAcl Documented { get; } = ReadDocumented();

    /// <summary>The documented user's name.</summary>
    public string UserName => Documented.User;

    /// <summary>The name of the user that also has the optional grants.</summary>
    public string GrantedUserName => Documented.User + "-granted";

    /// <summary>The documented connection string, for this server and the documented user.</summary>
    public string ConnectionString => Server.ConnectionString + Documented.ConnectionOptions.Replace(DocumentedPassword, password, StringComparison.Ordinal);

    /// <summary>A connection string that names only a user and its password.</summary>
    public string PlainConnectionString(string userName) => $"{Server.ConnectionString},user={userName},password={password}";

    /// <summary>The server.</summary>
    public RedisServerProcess Server => server ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>A connection as the documented user, through the documented connection string.</summary>
    public IConnectionMultiplexer User => user ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>A connection as the default user, who may do anything (to read ACL LOG, or to write another application's keys).</summary>
    public IConnectionMultiplexer Admin => admin ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        server = await RedisServerProcess.StartAsync();
        var options = ConfigurationOptions.Parse(server.ConnectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = true;
        admin = await ConnectionMultiplexer.ConnectAsync(options);
        var rules = Documented.Rules.Select(ForThisRun).ToList();
        await SetUserAsync(UserName, rules);
        await SetUserAsync(GrantedUserName, [.. rules, .. Documented.OptionalRules]);
        try
        {
            user = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        }
        catch (RedisConnectionException e)
        {
            throw new InvalidOperationException($"The README's ACL user could not connect; Redis refused: {string.Join("; ", await RefusalsAsync())}", e);
        }
    }

    /// <summary>What the server refused since it started or was last told to forget (<c>ACL LOG</c>), one <see cref="Refusal"/> per entry.</summary>
    public async Task<IReadOnlyList<Refusal>> RefusalsAsync()
    {
        var entries = (RedisResult[])(await AdminServer().ExecuteAsync("ACL", "LOG"))!;
        return [.. entries.Select(entry =>
        {
            var fields = entry.ToDictionary();
            return new Refusal((string)fields["reason"]!, (string)fields["object"]!, (string)fields["username"]!);
        })];
    }

    /// <summary>Forgets the refusals so far (<c>ACL LOG RESET</c>).</summary>
    public async Task ForgetRefusalsAsync() => await AdminServer().ExecuteAsync("ACL", "LOG", "RESET");

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (user is not null) await user.DisposeAsync();
        if (admin is not null) await admin.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }

    private IServer AdminServer() => Admin.GetServer(Admin.GetEndPoints()[0]);

    private async Task SetUserAsync(string name, IEnumerable<string> rules)
    {
        object[] arguments = ["SETUSER", name, .. rules];
        await AdminServer().ExecuteAsync("ACL", arguments);
    }

    private string ForThisRun(string rule)
    {
        if (rule == ">" + DocumentedPassword) return ">" + password;
        string documented = "~{tq:" + DocumentedApplication;
        return rule.StartsWith(documented, StringComparison.Ordinal) ? "~{tq:" + ApplicationName + rule[documented.Length..] : rule;
    }

    /// <summary>Reads the README's <c>&lt;!-- acl --&gt;</c> section: the user's line, the connection string, the optional grants.</summary>
    private static DocumentedAcl ReadDocumented()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "src", "TaskQueue.Redis", "README.md"));
        var section = AclSection().Match(readme);
        Assert.True(section.Success, "src/TaskQueue.Redis/README.md has no <!-- acl --> ... <!-- /acl --> section");
        var lines = section.Groups[1].Value.Split('\n').Select(l => l.Trim()).ToList();
        var setUser = lines.Where(l => l.StartsWith("ACL SETUSER ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(2, setUser.Count);
        var (first, second) = (setUser[0], setUser[1]);
        Assert.Equal(first[2], second[2]);
        Assert.Equal("on", first[3]);
        var connection = Assert.Single(lines, l => l.Contains(",user=", StringComparison.Ordinal));
        Assert.Contains($",user={first[2]},password={DocumentedPassword}", connection, StringComparison.Ordinal);
        return new DocumentedAcl(first[2], first[3..], second[3..], connection[connection.IndexOf(',', StringComparison.Ordinal)..]);
    }

    [GeneratedRegex(@"<!-- acl -->(.*?)<!-- /acl -->", RegexOptions.Singleline)]
    private static partial Regex AclSection();
}

/// <summary>The README's ACL: the user, its rules, the optional grants, and the connection string's options (from its first comma on).</summary>
public sealed record DocumentedAcl(string User, IReadOnlyList<string> Rules, IReadOnlyList<string> OptionalRules, string ConnectionOptions);

/// <summary>One entry of <c>ACL LOG</c>: why (<c>command</c>, <c>key</c>, <c>channel</c>, <c>auth</c>), what, and whose.</summary>
public sealed record Refusal(string Reason, string Object, string User)
{
    /// <inheritdoc />
    public override string ToString() => $"{Reason} '{Object}' by {User}";
}
