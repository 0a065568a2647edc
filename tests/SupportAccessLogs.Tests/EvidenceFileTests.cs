using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Export;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The evidence file and its checkpoint on temporary files (issue 21): what is repaired and what
/// is refused, what a checkpoint is believed for, and that continuing doesn't read the file whole.
/// The runs themselves (kill -9, several tenants, the source) are in tests/pester/Export.Tests.ps1.
/// </summary>
public sealed class EvidenceFileTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "evidence-tests-" + Guid.NewGuid().ToString("N"));
    private readonly Sink _sink = new();

    public EvidenceFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(EvidenceFileFormat.Csv)]
    [InlineData(EvidenceFileFormat.JsonLines)]
    public async Task ANewFile_IsBegun_ItsCheckpointMatches_AndAContinuationReadsOnlyWhatFollowsIt(EvidenceFileFormat format)
    {
        string path = PathOf("a");
        using (EvidenceFile file = await Open(path, format))
        {
            Assert.True(file.IsNew);
            Assert.True(file.Append(Activity("r1", 3), Time(3)));
            Assert.True(file.Append(Activity("r2", 2), Time(2)));
            Assert.False(file.Append(Activity("r1", 3), Time(3)), "an activity the file holds is not appended again");
            file.Commit(Ledgered(Time(0)));
        }

        // Records appended after the checkpoint (a run stopped before its next one).
        using (EvidenceFile file = await Open(path, null))
        {
            Assert.NotNull(file.Checkpoint);
            Assert.False(file.ReadWhole);
            Assert.Equal(format, file.Format);
            Assert.True(file.Append(Activity("r3", 1), Time(1)));
        }

        using (EvidenceFile file = await Open(path, null))
        {
            Assert.NotNull(file.Checkpoint);
            Assert.False(file.ReadWhole, "a matching checkpoint: only what follows it is read");
            Assert.Equal(new[] { "r1", "r2", "r3" }, file.Held.Keys.Select(k => k.Split('|')[1]).OrderBy(k => k));
        }
    }

    [Theory]
    [InlineData(EvidenceFileFormat.Csv, "\n")]
    [InlineData(EvidenceFileFormat.Csv, "\r\n")]
    [InlineData(EvidenceFileFormat.JsonLines, "\n")]
    [InlineData(EvidenceFileFormat.JsonLines, "\r\n")]
    public async Task ATornLastRecordOfEveryLength_IsCutOffAndKeptAside_OrKeptWhenItOnlyLacksItsLineEnd(EvidenceFileFormat format, string newLine)
    {
        string whole = Written(format, newLine, "r1", "r2");
        string last = EvidenceFormat.For(format).Record(Activity("r3", 1), newLine);
        byte[] lastBytes = Encoding.UTF8.GetBytes(last);
        for (int cut = 1; cut < lastBytes.Length; cut++)
        {
            string path = PathOf($"torn-{cut}");
            byte[] tail = lastBytes.Take(cut).ToArray();
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(whole).Concat(tail).ToArray());
            string content = Encoding.UTF8.GetString(lastBytes, 0, lastBytes.Length - Encoding.UTF8.GetByteCount(newLine));
            bool onlyLacksLineEnd = cut >= Encoding.UTF8.GetByteCount(content);

            using (EvidenceFile file = await Open(path, format))
            {
                if (onlyLacksLineEnd)
                {
                    Assert.Equal(0, file.RepairedBytes);
                    Assert.Contains(file.Held.Keys, k => k.EndsWith("|r3", StringComparison.Ordinal));
                    Assert.True(file.Append(Activity("r4", 0), Time(0)));
                }
                else
                {
                    Assert.Equal(cut, file.RepairedBytes);
                    Assert.Equal(tail, File.ReadAllBytes(file.TornRecordPath!));
                    Assert.DoesNotContain(file.Held.Keys, k => k.EndsWith("|r3", StringComparison.Ordinal));
                }
            }

            string after = File.ReadAllText(path);
            Assert.Equal(onlyLacksLineEnd ? whole + content + newLine + EvidenceFormat.For(format).Record(Activity("r4", 0), newLine) : whole, after);
        }
    }

    public static IEnumerable<object[]> ForeignFiles() => new[]
    {
        new object[] { EvidenceFileFormat.JsonLines, "{\"important\":\"config\",\"x\":1}" },
        new object[] { EvidenceFileFormat.JsonLines, "{\"important\":\"config\",\"x\":1}\n{\"Id\":\"x\"}\n" },
        new object[] { EvidenceFileFormat.JsonLines, "{\"Id\":\"r1\",\"Other\":\"shape\"}\n" },
        new object[] { EvidenceFileFormat.Csv, "Name,Value\nsomething,else\n" },
        new object[] { EvidenceFileFormat.Csv, "Name,Value\nsomething,else" },
        new object[] { EvidenceFileFormat.Csv, "just some text" },
    };

    [Theory]
    [MemberData(nameof(ForeignFiles))]
    public async Task AFileNotOurs_IsRefused_AndLeftByteForByte(EvidenceFileFormat format, string content)
    {
        string path = PathOf("foreign");
        File.WriteAllText(path, content);

        ModuleException refused = await Assert.ThrowsAsync<ModuleException>(() => Open(path, format));

        Assert.Equal("EvidenceFileNotOurs", refused.ErrorId);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(_folder, "*.torn-*"));
    }

    [Fact]
    public async Task OurCsvWithAStrayQuote_OrAnotherToolsRows_IsRefused_NotCutOffAsATornRecord()
    {
        string header = Written(EvidenceFileFormat.Csv, "\n");
        foreach (string bad in new[] { "\"a\"b\",\"c\"\n", "x,y\n", "\"only\",\"three\",\"fields\"\n" })
        {
            string path = PathOf("bad-" + bad.Length);
            string content = header + bad + EvidenceFormat.For(EvidenceFileFormat.Csv).Record(Activity("r1", 1), "\n");
            File.WriteAllText(path, content);

            ModuleException refused = await Assert.ThrowsAsync<ModuleException>(() => Open(path, EvidenceFileFormat.Csv));

            Assert.Equal("EvidenceFileNotOurs", refused.ErrorId);
            Assert.Contains("line 2", refused.Message);
            Assert.Equal(content, File.ReadAllText(path));
        }
    }

    [Theory]
    [InlineData(EvidenceFileFormat.Csv)]
    [InlineData(EvidenceFileFormat.JsonLines)]
    public async Task InvalidUtf8_IsRefused_NotReplaced(EvidenceFileFormat format)
    {
        string path = PathOf("utf8");
        byte[] good = Encoding.UTF8.GetBytes(Written(format, "\n", "r1"));
        byte[] record = Encoding.UTF8.GetBytes(EvidenceFormat.For(format).Record(Activity("r2", 1), "\n"));
        int at = Array.IndexOf(record, (byte)'r');
        record[at] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
        File.WriteAllBytes(path, good.Concat(record).ToArray());
        byte[] before = File.ReadAllBytes(path);

        ModuleException refused = await Assert.ThrowsAsync<ModuleException>(() => Open(path, format));

        Assert.Equal("EvidenceFileNotOurs", refused.ErrorId);
        Assert.Contains("UTF-8", refused.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("9999-01-01T00:00:00Z", "EvidenceFileBadRecord")]
    [InlineData("2026-11-20T12:06:00Z", "EvidenceFileBadRecord")]
    [InlineData("not a date", "EvidenceFileBadRecord")]
    [InlineData("2026-13-45T99:00:00Z", "EvidenceFileBadRecord")]
    public async Task AFutureOrImpossibleDate_StopsTheRun_NamingTheLine(string time, string errorId)
    {
        string path = PathOf("date");
        string text = Written(EvidenceFileFormat.Csv, "\n", "r1", "r2", "r3");
        string[] lines = text.Split('\n');
        // ActivityDateTime is the first column.
        lines[3] = "\"" + time + "\"" + lines[3].Substring(lines[3].IndexOf(','));
        File.WriteAllText(path, string.Join("\n", lines));
        string before = File.ReadAllText(path);

        ModuleException refused = await Assert.ThrowsAsync<ModuleException>(() => Open(path, null));

        Assert.Equal(errorId, refused.ErrorId);
        Assert.Contains("line 4", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public async Task ADateWithinTheClockSkew_IsTaken()
    {
        string path = PathOf("skew");
        using (EvidenceFile file = await Open(path, EvidenceFileFormat.Csv))
        {
            file.Append(Activity("soon", 0, Now.AddMinutes(3)), Now.AddMinutes(3));
        }

        using EvidenceFile again = await Open(path, null);
        Assert.Single(again.Held);
    }

    [Fact]
    public async Task AStaleCheckpoint_IsNotBelieved_AndTheFileIsReadWhole()
    {
        string path = PathOf("stale");
        await WriteWithCheckpoint(path, "r1", "r2", "r3");
        string text = File.ReadAllText(path);
        // Someone edits a record the checkpoint describes (same length, other bytes).
        File.WriteAllText(path, text.Replace("\"r2\"", "\"r9\""));

        using EvidenceFile file = await Open(path, null);

        Assert.Null(file.Checkpoint);
        Assert.Contains("changed", file.CheckpointIgnored);
        Assert.True(file.ReadWhole);
        Assert.Equal(3, file.Held.Count);
    }

    [Fact]
    public async Task ACheckpointOfAFileCutShort_IsNotBelieved()
    {
        string path = PathOf("short");
        await WriteWithCheckpoint(path, "r1", "r2", "r3");
        string[] lines = File.ReadAllLines(path);
        File.WriteAllText(path, string.Join("\n", lines.Take(3)) + "\n");

        using EvidenceFile file = await Open(path, null);

        Assert.Null(file.Checkpoint);
        Assert.Contains("cut short", file.CheckpointIgnored);
        Assert.Equal(2, file.Held.Count);
    }

    [Fact]
    public async Task AnotherFilesCheckpoint_IsNotBelieved()
    {
        string first = PathOf("first");
        string second = PathOf("second");
        await WriteWithCheckpoint(first, "r1", "r2");
        await WriteWithCheckpoint(second, "s1", "s2", "s3");
        File.Copy(Checkpoint.PathFor(first), Checkpoint.PathFor(second), overwrite: true);

        using EvidenceFile file = await Open(second, null);

        Assert.Null(file.Checkpoint);
        Assert.NotNull(file.CheckpointIgnored);
        Assert.Equal(3, file.Held.Count);
    }

    [Fact]
    public async Task ACheckpointThatIsNotOne_IsNotBelieved_AndTheFileStaysAsItWas()
    {
        string path = PathOf("garbage");
        await WriteWithCheckpoint(path, "r1");
        File.WriteAllText(Checkpoint.PathFor(path), "{\"schema\":\"something else\"}");
        string before = File.ReadAllText(path);

        using (EvidenceFile file = await Open(path, null))
        {
            Assert.Null(file.Checkpoint);
            Assert.Contains("not a checkpoint", file.CheckpointIgnored);
        }

        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public async Task AJsonLinesFileBegunButWithNoWholeRecord_IsOursByItsCheckpoint_SoItsTornRecordIsRepaired()
    {
        string path = PathOf("begun");
        using (EvidenceFile file = await Open(path, EvidenceFileFormat.JsonLines))
        {
            file.Commit(Ledgered(Time(0)));
        }

        string record = EvidenceFormat.For(EvidenceFileFormat.JsonLines).Record(Activity("r1", 1), "\n");
        File.AppendAllText(path, record.Substring(0, 30));

        using (EvidenceFile file = await Open(path, null))
        {
            Assert.Equal(30, file.RepairedBytes);
        }

        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task AFileSavedWithAByteOrderMarkCrlfAndATrailingBlankLine_IsContinuedInItsOwnStyle()
    {
        string path = PathOf("windows");
        string text = Written(EvidenceFileFormat.Csv, "\r\n", "r1", "r2") + "\r\n";
        File.WriteAllBytes(path, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(text)).ToArray());

        using (EvidenceFile file = await Open(path, null))
        {
            Assert.Equal("\r\n", file.NewLine);
            Assert.Equal(2, file.Held.Count);
            Assert.True(file.Append(Activity("r3", 0), Time(0)));
        }

        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, after.Take(3));
        string appended = EvidenceFormat.For(EvidenceFileFormat.Csv).Record(Activity("r3", 0), "\r\n");
        Assert.Equal(text + appended, Encoding.UTF8.GetString(after, 3, after.Length - 3));
    }

    [Fact]
    public async Task AHeaderWithoutQuotes_AsASpreadsheetSavesIt_IsOurs()
    {
        string path = PathOf("unquoted");
        string text = Written(EvidenceFileFormat.Csv, "\n", "r1");
        int end = text.IndexOf('\n');
        File.WriteAllText(path, text.Substring(0, end).Replace("\"", "") + text.Substring(end));

        using EvidenceFile file = await Open(path, null);

        Assert.Single(file.Held);
    }

    [Fact]
    public async Task ActivitiesWithoutAnId_AreKnownByTheirContent_SoTheOverlapDoesNotWriteThemTwice()
    {
        string path = PathOf("noid");
        using (EvidenceFile file = await Open(path, EvidenceFileFormat.Csv))
        {
            Assert.True(file.Append(Activity("", 2), Time(2)));
            Assert.False(file.Append(Activity("", 2), Time(2)));
            Assert.True(file.Append(Activity("", 1), Time(1)), "another activity without an id");
        }

        using (EvidenceFile file = await Open(path, null))
        {
            Assert.False(file.Append(Activity("", 2), Time(2)));
            Assert.False(file.Append(Activity("", 1), Time(1)));
        }
    }

    [Fact]
    public async Task AnExplicitFormatThatDiffersFromTheFiles_IsRefused()
    {
        string path = PathOf("format");
        File.WriteAllText(path, Written(EvidenceFileFormat.Csv, "\n", "r1"));

        ModuleException refused = await Assert.ThrowsAsync<ModuleException>(() => Open(path, EvidenceFileFormat.JsonLines));

        Assert.Equal("EvidenceFormatMismatch", refused.ErrorId);
        using EvidenceFile file = await Open(path, null);
        Assert.Equal(EvidenceFileFormat.Csv, file.Format);
    }

    [Fact]
    public async Task Paths_AMissingFolderIsCreated_ADirectoryABlankNameAndALinkAreRefused()
    {
        string nested = Path.Combine(_folder, "evidence", "nightly", "support.csv");
        using (await Open(nested, null))
        {
        }

        Assert.True(File.Exists(nested));
        Assert.Equal("EvidencePathIsDirectory", (await Assert.ThrowsAsync<ModuleException>(() => Open(_folder, null))).ErrorId);
        Assert.Equal("EvidencePathInvalid", (await Assert.ThrowsAsync<ModuleException>(() => Open(Path.Combine(_folder, "   "), null))).ErrorId);
        Assert.Equal("EvidencePathInvalid", (await Assert.ThrowsAsync<ModuleException>(() => Open(_folder + Path.DirectorySeparatorChar, null))).ErrorId);
        string link = PathOf("link");
        File.CreateSymbolicLink(link, nested);
        Assert.Equal("EvidencePathIsLink", (await Assert.ThrowsAsync<ModuleException>(() => Open(link, null))).ErrorId);
    }

    [Fact]
    public async Task NewFilesAndCheckpoints_AreTheOwnersOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = PathOf("mode");
        await WriteWithCheckpoint(path, "r1");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Checkpoint.PathFor(path)));
    }

    [Fact]
    public async Task TheCheckpointRemembersOnlyIdsWhereALaterRunReadsAgain()
    {
        string path = PathOf("recent");
        Checkpoint checkpoint = Ledgered(Time(0));
        using (EvidenceFile file = await Open(path, EvidenceFileFormat.Csv))
        {
            file.Append(Activity("old", 100), Time(100));
            file.Append(Activity("recent", 1), Time(1));
            file.Commit(checkpoint);
        }

        Assert.Equal(new[] { "recent" }, checkpoint.RecentIds.Keys.Select(k => k.Split('|')[1]));
        Checkpoint read = Checkpoint.Read(File.ReadAllBytes(Checkpoint.PathFor(path)));
        Assert.Equal(checkpoint.RecentIds, read.RecentIds);
        Assert.Equal(checkpoint.Mark, read.Mark);
        Assert.Equal(checkpoint.Tenants.Single().Value.ReadTo, read.Tenants.Single().Value.ReadTo);
    }

    [Fact]
    public async Task AnOverlapLongerThanTheCheckpointRemembers_ReadsTheFileWhole()
    {
        string path = PathOf("span");
        await WriteWithCheckpoint(path, "r1", "r2");

        using EvidenceFile file = await Open(path, null, overlap: TimeSpan.FromDays(3));

        Assert.NotNull(file.Checkpoint);
        Assert.True(file.ReadWhole);
        Assert.Equal(2, file.Held.Count);
    }

    private async Task WriteWithCheckpoint(string path, params string[] ids)
    {
        using EvidenceFile file = await Open(path, EvidenceFileFormat.Csv);
        int age = ids.Length;
        foreach (string id in ids)
        {
            file.Append(Activity(id, age), Time(age));
            age--;
        }

        file.Commit(Ledgered(Time(0)));
    }

    private static Checkpoint Ledgered(DateTime readTo)
    {
        var checkpoint = new Checkpoint { RecentSpan = TimeSpan.FromDays(1) };
        checkpoint.Tenants[Guid.Parse(Records.CallerTenant)] = new TenantLedger { ReadTo = readTo };
        return checkpoint;
    }

    private Task<EvidenceFile> Open(string path, EvidenceFileFormat? format, TimeSpan? overlap = null) =>
        EvidenceFile.OpenAsync(path, format, overlap ?? TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(5), _sink, Now, CancellationToken.None);

    private string PathOf(string name) => Path.Combine(_folder, name + ".evidence");

    /// <summary>A file's text as the format writes it: the preamble and these activities, one an hour older than the last.</summary>
    private static string Written(EvidenceFileFormat format, string newLine, params string[] ids)
    {
        EvidenceFormat writer = EvidenceFormat.For(format);
        var text = new StringBuilder(writer.Preamble(newLine));
        int age = ids.Length + 1;
        foreach (string id in ids)
        {
            text.Append(writer.Record(Activity(id, age), newLine));
            age--;
        }

        return text.ToString();
    }

    /// <summary><paramref name="hoursAgo"/> hours before the tests' now.</summary>
    private static DateTime Time(int hoursAgo) => Now.AddHours(-hoursAgo);

    private static SupportAccessActivity Activity(string id, int hoursAgo, DateTime? at = null)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(id: id));
        activity.ActivityTime = at ?? Time(hoursAgo);
        activity.SourceTime = activity.ActivityTime;
        return activity;
    }

    private sealed class Sink : IMessageSink
    {
        public List<string> Messages { get; } = new();

        public void Verbose(string message) => Messages.Add(message);

        public void Warning(string message) => Messages.Add(message);
    }
}
