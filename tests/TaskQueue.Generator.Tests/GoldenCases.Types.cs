namespace TaskQueue.Generator.Tests;

internal static partial class GoldenCases
{
    private const string NestedRecords = """
        using System;
        using System.Collections.Generic;
        using TaskQueue;

        namespace Shop;

        public sealed record Customer(string Name, string? Email);

        public sealed record Line(string Sku, int Quantity, decimal Price);

        public sealed record Order(Guid Id, Customer Customer, List<Line> Lines)
        {
            public string? Note { get; init; }
        }

        public sealed record TreeNode(string Name, List<TreeNode> Children);

        public sealed class Settings
        {
            public required string Region { get; init; }
            public int Limit { get; set; } = 10;
            public int Computed => Limit * 2;
        }

        public readonly struct Point
        {
            public Point(int x, int y)
            {
                X = x;
                Y = y;
            }

            public int X { get; }
            public int Y { get; }
        }

        public sealed record Summary(int Lines, decimal Total, Point Where);

        public static class ShopTasks
        {
            [Task]
            public static Summary Summarize(Order order, Settings settings, Point? origin) => new(order.Lines.Count, 0m, origin ?? default);

            [Task]
            public static int CountNodes(TreeNode root) => 1;
        }
        """;

    private const string Collections = """
        using System.Collections.Generic;
        using TaskQueue;

        namespace Shop;

        public static class Bulk
        {
            [Task]
            public static Dictionary<string, string[]> Group(
                int[] numbers,
                List<string> names,
                IReadOnlyList<double> values,
                Dictionary<string, int> counts,
                IReadOnlyDictionary<string, List<int>> groups,
                int[][] jagged,
                IEnumerable<long> longs,
                byte[] blob,
                List<string?>? maybe) => new();
        }
        """;

    private const string EnumsAndNullables = """
        using System;
        using TaskQueue;

        namespace Shop;

        public enum Color : byte { Red, Green, Blue }

        public enum Priority { Low = -1, Normal, High }

        public static class Scalars
        {
            [Task]
            public static Color? Pick(
                Color color, Priority? urgency, int? limit, string? note, Guid? id, DateTimeOffset when, DateTime at,
                TimeSpan span, decimal amount, char letter, bool flag, float ratio, sbyte tiny, ushort port, uint big, ulong huge) => color;
        }
        """;

    private const string DefaultParameterValues = """
        using System;
        using TaskQueue;

        namespace Shop;

        public enum Tone { Plain, Warm }

        public static class Greetings
        {
            [Task]
            public static string Greet(
                string name, string greeting = "Hello \"friend\"", int times = 1, double factor = 1.5, float scale = 0.25f,
                Tone tone = Tone.Warm, bool loud = false, string? suffix = null, DateTime at = default, long big = -3, decimal price = 9.99m)
                => greeting + name;
        }
        """;

    private const string EnumNames = """
        using System;
        using TaskQueue;

        namespace Shop;

        [Flags]
        public enum Access { None = 0, Read = 1, Write = 2, Both = Read | Write, All = 3 }

        public enum Wide : ulong { Small = 1, @class = 2, Max = ulong.MaxValue }

        public enum Nothing { }

        public static class Permissions
        {
            [Task]
            public static void Grant(Access access, Wide wide, Nothing nothing, Access[] history) { }
        }
        """;
}
