-- StationCRM: back up the database into a file named with the date and time, then read the
-- file back to check it. For SQL Server Express, which has no SQL Server Agent: Task
-- Scheduler runs backup.cmd, which runs this script with sqlcmd -b (docs/sqlserver.md).
--
-- sqlcmd variables (backup.cmd sets them):
--   DatabaseName   the StationCRM database, e.g. stationcrm
--   BackupFolder   a folder the SQL Server service account may write, e.g. D:\Backup\StationCRM
--   BackupKind     FULL (nightly) or LOG (during the day; the database in FULL recovery)
--
-- Any error ends sqlcmd -b with exit code 1; backup.cmd then deletes no old backup.
SET NOCOUNT ON;

DECLARE @database SYSNAME = N'$(DatabaseName)';
DECLARE @kind NVARCHAR(10) = UPPER(N'$(BackupKind)');
DECLARE @stamp NVARCHAR(15) = CONVERT(NCHAR(8), SYSDATETIME(), 112) + N'_'
    + REPLACE(CONVERT(NCHAR(8), SYSDATETIME(), 108), N':', N'');
DECLARE @file NVARCHAR(400) = N'$(BackupFolder)' + N'\' + @database + N'_' + @kind + N'_'
    + @stamp + CASE WHEN @kind = N'LOG' THEN N'.trn' ELSE N'.bak' END;
DECLARE @recovery NVARCHAR(60) = (SELECT recovery_model_desc FROM sys.databases
                                  WHERE name = @database);

IF DB_ID(@database) IS NULL
BEGIN
    THROW 50001, N'StationCRM backup: the database named in DatabaseName does not exist.', 1;
END;
IF @kind NOT IN (N'FULL', N'LOG')
BEGIN
    THROW 50002, N'StationCRM backup: BackupKind must be FULL or LOG.', 1;
END;
IF @kind = N'LOG' AND @recovery = N'SIMPLE'
BEGIN
    THROW 50003, N'StationCRM backup: the database is in SIMPLE recovery, which keeps no log to back up; make FULL backups only, or switch to FULL recovery (docs/sqlserver.md).', 1;
END;

PRINT N'StationCRM backup: writing ' + @file;
-- CHECKSUM: every page is checked as it is read, and the file carries a checksum.
-- (No COMPRESSION: Express refuses it. On Standard or Enterprise it may be added.)
IF @kind = N'FULL'
BEGIN
    BACKUP DATABASE @database TO DISK = @file
        WITH CHECKSUM, INIT, NAME = N'StationCRM full backup';
END
ELSE
BEGIN
    BACKUP LOG @database TO DISK = @file
        WITH CHECKSUM, INIT, NAME = N'StationCRM log backup';
END;

-- Read the whole file back: a backup that cannot be restored fails the run here.
RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM;
PRINT N'StationCRM backup: written and verified: ' + @file;
