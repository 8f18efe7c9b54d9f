using TaskQueue;

namespace Shop;

public enum Priority { Low, Normal, Urgent }

public sealed record Address(string Street, string City, string? Zip);

public sealed record Line(string Sku, int Quantity, decimal UnitPrice);

public sealed record Order(Guid Id, string Customer, Address ShipTo, List<Line> Lines, Priority Priority, DateTimeOffset PlacedAt,
    Dictionary<string, string> Tags, int[] Coupons, TimeSpan? Window);

public sealed record Invoice(Guid OrderId, decimal Total, int Items, string Summary, DateTimeOffset IssuedAt);

public static class OrderTasks
{
    /// <summary>Prices an order: records, lists, arrays, dictionaries, enums, nullables, decimals in and out.</summary>
    [Task(Queue = "orders", Retries = 2, RetryDelaySeconds = 1)]
    public static async Task<Invoice> PriceOrder(Order order, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var total = order.Lines.Sum(l => l.Quantity * l.UnitPrice) - order.Coupons.Sum();
        if (order.Priority == Priority.Urgent) total += 5m;
        var summary = $"{order.Customer} in {order.ShipTo.City}{(order.ShipTo.Zip is { } zip ? " " + zip : "")}: "
            + $"{order.Lines.Count} lines, tags {string.Join(",", order.Tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))}"
            + (order.Window is { } w ? $", window {w.TotalHours}h" : "");
        return new Invoice(order.Id, total, order.Lines.Sum(l => l.Quantity), summary, order.PlacedAt);
    }

    /// <summary>Always fails: shows how a remote error comes back.</summary>
    [Task(Queue = "orders")]
    public static void RejectOrder(Guid orderId, string reason) => throw new InvalidOperationException($"order {orderId} rejected: {reason}");

    /// <summary>Takes a while: for shutdown and crash tests.</summary>
    [Task]
    public static async Task<int> Sleep(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return milliseconds;
    }

    /// <summary>Does nothing: for throughput.</summary>
    [Task]
    public static void Noop() { }

    [Task]
    public static long Square(int x) => (long)x * x;
}
