using TaskQueue;

namespace TaskQueue.Benchmarks;

public enum Tier { Free, Pro, Enterprise }

public sealed record Address(string Street, string City, string? Zip);

public sealed record Line(string Sku, int Quantity, decimal UnitPrice);

public sealed record Order(Guid Id, string Customer, Address ShipTo, List<Line> Lines, Tier Tier, DateTimeOffset PlacedAt,
    Dictionary<string, string> Tags, int[] Coupons, TimeSpan? Window);

public static class BenchTasks
{
    [Task]
    public static void Noop() { }

    [Task]
    public static int Total(Order order) => order.Lines.Count;

    public static Order SampleOrder() => new(Guid.NewGuid(), "Ada Lovelace", new Address("12 Loop Road", "Cambridge", "CB1"),
        [new Line("bean-1kg", 3, 4.20m), new Line("grinder", 1, 89.99m), new Line("filter", 100, 0.05m)], Tier.Pro,
        new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1)), new() { ["channel"] = "web", ["promo"] = "autumn" }, [5, 10],
        TimeSpan.FromHours(2));
}
