using System.Security.Cryptography;
using TaskQueue.Consumer;
using TaskQueue.Messages;
using TaskQueue.Storage;
using TaskQueue.Testing;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

public sealed class SigningTests
{
    private static readonly MessageSigningKey First = new("k1", RandomNumberGenerator.GetBytes(32));
    private static readonly MessageSigningKey Second = new("k2", RandomNumberGenerator.GetBytes(32));

    private static TaskApp App(MemoryStorage storage, MessageSigning? signing) => new(storage) { Signing = signing };

    private static async Task<IReadOnlyList<DeadLetter>> RunAllAsync(TaskApp app)
    {
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        await Eventually.UntilAsync(async () => await app.Storage.QueueLengthAsync("default") == 0 && await app.Storage.InFlightCountAsync() == 0,
            "the queue to be drained");
        await consumer.StopAsync();
        return await app.DeadLettersAsync();
    }

    [Fact]
    public async Task Signed_messages_run_and_a_changed_one_goes_to_dead_letters_saying_so()
    {
        var storage = new MemoryStorage();
        var app = App(storage, new MessageSigning(First));
        var good = Add.With(app).Enqueue(2, 3);
        var body = (await storage.PendingAsync("default", 1))[0];
        Assert.Equal(MessageSigning.Marker, body[0]);
        var changed = (byte[])body.Clone();
        changed[^1] ^= 0x01;                           // one bit of the arguments
        await storage.EnqueueAsync("default", changed);

        var dead = Assert.Single(await RunAllAsync(app));

        Assert.Equal(5, await good.GetAsync(timeout: TestApps.Wait));
        Assert.StartsWith("malformed message: bad signature: the signature does not match the message (key 'k1')", dead.Reason);
    }

    [Fact]
    public async Task An_unsigned_message_is_refused_by_a_signing_app_and_a_signed_one_by_an_app_without_keys()
    {
        var storage = new MemoryStorage();
        Add.With(App(storage, null)).Enqueue(1, 1);
        Add.With(App(storage, new MessageSigning(First))).Enqueue(2, 2);

        var refusedBySigner = Assert.Single(await RunAllAsync(App(storage, new MessageSigning(Second, First))));
        Assert.Contains("the message is not signed, and this app accepts only signed messages", refusedBySigner.Reason);

        Add.With(App(storage, new MessageSigning(First))).Enqueue(3, 3);
        var dead = await RunAllAsync(App(storage, null));
        Assert.Contains(dead, d => d.Reason.Contains("the message is signed, but this app has no signing keys"));
    }

    [Fact]
    public async Task Rotation_consumers_accept_the_old_key_while_producers_move_to_the_new_one()
    {
        var storage = new MemoryStorage();
        var old = Add.With(App(storage, new MessageSigning(First))).Enqueue(1, 1);
        var rotated = Add.With(App(storage, new MessageSigning(Second, First))).Enqueue(2, 2);
        Assert.Empty(await RunAllAsync(App(storage, new MessageSigning(Second, First))));
        Assert.Equal(2, await old.GetAsync(timeout: TestApps.Wait));
        Assert.Equal(4, await rotated.GetAsync(timeout: TestApps.Wait));

        // A consumer that has dropped the old key refuses what it signed, naming the key.
        Add.With(App(storage, new MessageSigning(First))).Enqueue(3, 3);
        var dead = Assert.Single(await RunAllAsync(App(storage, new MessageSigning(Second))));
        Assert.Contains("signed with key 'k1', which this app does not accept (it accepts 'k2')", dead.Reason);
    }

    [Fact]
    public async Task A_retry_is_signed_too()
    {
        var storage = new MemoryStorage();
        var app = App(storage, new MessageSigning(First));
        var key = Counters.NewKey();
        var r = FailTimes.With(app).Enqueue(key, 2);
        Assert.Empty(await RunAllAsync(app));
        Assert.Equal(3, await r.GetAsync(timeout: TestApps.Wait));
    }

    [Theory]
    [InlineData("k1", "id:base64")]
    [InlineData("k1:not*base64", "is not base64")]
    [InlineData("k1:AAAA", "at least 16 are needed")]
    [InlineData("", "no signing key given")]
    public void Bad_key_text_says_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => MessageSigning.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Keys_parse_current_first_and_ids_must_differ()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var signing = MessageSigning.Parse($"new:{secret}, old:{secret}");
        Assert.Equal("new", signing.CurrentKeyId);
        Assert.Equal(["new", "old"], signing.AcceptedKeyIds);
        Assert.Throws<FormatException>(() => MessageSigning.Parse($"a:{secret};a:{secret}"));
    }
}
