@echo off
rem StationCRM backup for SQL Server Express (no SQL Server Agent), run by Task Scheduler.
rem
rem   backup.cmd          full backup (schedule nightly, e.g. 02:30)
rem   backup.cmd log      log backup (optional, e.g. hourly 08:00-20:00; FULL recovery only)
rem
rem Writes <database>_FULL_<yyyymmdd_hhmmss>.bak (or _LOG_....trn) into SCRM_BACKUP_DIR,
rem reads the file back to verify it, and only then deletes the backups of the same kind
rem older than SCRM_KEEP_DAYS days. A failed run deletes nothing and ends with exit code 1,
rem which Task Scheduler shows as the task's last result. Every run is logged in
rem backup.log in the backup folder. See docs/sqlserver.md.
rem
rem Settings: change the defaults below, or set the variables in the task's environment.
rem The account the task runs as logs in to SQL Server with Windows authentication (-E).
setlocal EnableExtensions

if not defined SCRM_SERVER      set "SCRM_SERVER=.\SQLEXPRESS"
if not defined SCRM_DATABASE    set "SCRM_DATABASE=stationcrm"
if not defined SCRM_BACKUP_DIR  set "SCRM_BACKUP_DIR=D:\Backup\StationCRM"
if not defined SCRM_KEEP_DAYS   set "SCRM_KEEP_DAYS=14"

set "KIND=FULL"
set "EXT=bak"
if /i "%~1"=="log" set "KIND=LOG"
if /i "%~1"=="log" set "EXT=trn"
set "SCRIPT=%~dp0backup.sql"
set "LOGFILE=%SCRM_BACKUP_DIR%\backup.log"

if not exist "%SCRM_BACKUP_DIR%\" mkdir "%SCRM_BACKUP_DIR%"
if not exist "%SCRM_BACKUP_DIR%\" goto no_folder

echo ==== %DATE% %TIME% %KIND% backup of %SCRM_DATABASE% on %SCRM_SERVER% >> "%LOGFILE%"
sqlcmd -S "%SCRM_SERVER%" -E -b -I -d master -i "%SCRIPT%" -v DatabaseName="%SCRM_DATABASE%" BackupFolder="%SCRM_BACKUP_DIR%" BackupKind="%KIND%" >> "%LOGFILE%" 2>&1
if errorlevel 1 goto failed

rem Retention, only after a backup that was written and verified. forfiles says
rem "No files found" when nothing is old enough; that is not an error.
forfiles /p "%SCRM_BACKUP_DIR%" /m "%SCRM_DATABASE%_%KIND%_*.%EXT%" /d -%SCRM_KEEP_DAYS% /c "cmd /c echo deleting @file & del @path" >> "%LOGFILE%" 2>&1
echo OK >> "%LOGFILE%"
exit /b 0

:failed
echo FAILED: no backup was made or it could not be verified; old backups were kept. >> "%LOGFILE%"
exit /b 1

:no_folder
echo StationCRM backup: cannot create the folder "%SCRM_BACKUP_DIR%". 1>&2
exit /b 2
