; Inno Setup 6 script of the Windows station installer: StationCRM-<version>-setup.exe.
;
; Build on Windows after installer\build.ps1 has made dist\StationCRM\ (it then runs this):
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\stationcrm.iss
; Needs installer\prereqs\msodbcsql.msi (Microsoft ODBC Driver 18 for SQL Server, x64);
; installer\prereqs\vc_redist.x64.exe is shipped too when present. See installer\README.md.
;
; What it does: installs for all users into Program Files (administrator rights), Chinese
; (Simplified) or English wizard by the Windows display language, Start-menu and desktop
; shortcuts to the windowed StationCRM.exe, and the ODBC driver when it is missing. The
; per-user data — database file, station.toml, logs, backups under %LOCALAPPDATA%\StationCRM
; — is written by the program for each Windows user, never by this installer, so the
; uninstaller (which removes only what it installed) leaves it untouched.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "StationCRM"
#define AppExe "StationCRM.exe"
#define OdbcMsi "prereqs\msodbcsql.msi"
#define VcRedist "prereqs\vc_redist.x64.exe"

; Paths are checked from this script's folder, wherever ISCC is started.
#if !FileExists(AddBackslash(SourcePath) + "..\dist\StationCRM\StationCRM.exe")
  #error dist\StationCRM\StationCRM.exe is missing: run installer\build.ps1 first
#endif
#if !FileExists(AddBackslash(SourcePath) + OdbcMsi)
  #error installer\prereqs\msodbcsql.msi is missing: see installer\README.md (ODBC Driver 18)
#endif

; ChineseSimplified.isl: Inno Setup's own Languages folder when it has one, else a copy
; beside this script (installer\ChineseSimplified.isl, see installer\README.md).
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseIsl "ChineseSimplified.isl"
#else
  #error ChineseSimplified.isl not found: see installer\README.md
#endif

[Setup]
; The AppId identifies the product for upgrades and the uninstaller: never change it.
AppId={{6C3DAC3E-9677-4282-A6E2-C596F215B813}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=StationCRM
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per machine: every Windows user of the PC gets the program; each keeps their own data.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 and 11 only.
MinVersion=10.0
WizardStyle=modern
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; A running StationCRM is closed (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
; Setup writes its own log to %TEMP% (Setup Log *.txt), for a failed install.
SetupLogging=yes

[Languages]
; Chinese first: the fallback when the Windows display language is neither.
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.InstallingOdbc=正在安装 Microsoft ODBC Driver 18 for SQL Server…
english.InstallingOdbc=Installing Microsoft ODBC Driver 18 for SQL Server…
chinesesimplified.InstallingVcRedist=正在安装 Microsoft Visual C++ 运行库…
english.InstallingVcRedist=Installing the Microsoft Visual C++ runtime…
chinesesimplified.PrereqFailed=无法安装 %1（错误 %2）。%n%n连接 SQL Server 需要它。请以管理员身份重新运行安装程序，或请系统管理员先单独安装 %1。安装日志：%3
english.PrereqFailed=%1 could not be installed (error %2).%n%nStationCRM needs it to connect to SQL Server. Run this setup again as an administrator, or ask your administrator to install %1 first. Installer log: %3

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; The runtime folder of an older version: stale modules must not mix with the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The one-folder bundle: StationCRM.exe (windowed), stationcrm.com (console), _internal\.
Source: "..\dist\StationCRM\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The SQL Server kit for the DBA: nightly backup for Task Scheduler (docs/sqlserver.md).
Source: "sqlserver\backup.cmd"; DestDir: "{app}\sqlserver"; Flags: ignoreversion
Source: "sqlserver\backup.sql"; DestDir: "{app}\sqlserver"; Flags: ignoreversion
; Prerequisites: unpacked to {tmp} by the code below only when missing, never installed.
Source: "{#OdbcMsi}"; Flags: dontcopy
#if FileExists(AddBackslash(SourcePath) + VcRedist)
Source: "{#VcRedist}"; Flags: dontcopy
#endif

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; runasoriginaluser: the first start creates the data of the user who ran setup, not of the
; administrator account that elevated it.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

; No [UninstallDelete]: the uninstaller removes {app} as installed and nothing of any user's
; %LOCALAPPDATA%\StationCRM (database, station.toml, logs, backups).

[Code]
const
  OdbcDriverName = 'ODBC Driver 18 for SQL Server';

{ The 64-bit ODBC driver list; the program is 64-bit, so it uses that one. }
function OdbcDriverInstalled: Boolean;
var
  State: String;
begin
  Result := RegQueryStringValue(HKLM64, 'SOFTWARE\ODBC\ODBCINST.INI\ODBC Drivers',
                                OdbcDriverName, State) and (CompareText(State, 'Installed') = 0)
            and RegKeyExists(HKLM64, 'SOFTWARE\ODBC\ODBCINST.INI\' + OdbcDriverName);
end;

function VcRuntimeInstalled: Boolean;
var
  Installed: Cardinal;
begin
  Result := RegQueryDWordValue(HKLM64, 'SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64',
                               'Installed', Installed) and (Installed = 1);
end;

{ Run a prerequisite and wait; '' when it worked (or needs a restart), else the message. }
function RunPrerequisite(const Title, FileName, Params, LogFile: String;
                         var NeedsRestart: Boolean): String;
var
  ResultCode: Integer;
begin
  Result := '';
  if not Exec(FileName, Params, '', SW_HIDE, ewWaitUntilTerminated, ResultCode) then
    Result := FmtMessage(CustomMessage('PrereqFailed'), [Title, SysErrorMessage(ResultCode), LogFile])
  { 3010, 1641: done, restart needed. 1638: a newer version is already installed. }
  else if (ResultCode = 3010) or (ResultCode = 1641) then
    NeedsRestart := True
  else if (ResultCode <> 0) and (ResultCode <> 1638) then
    Result := FmtMessage(CustomMessage('PrereqFailed'), [Title, IntToStr(ResultCode), LogFile]);
end;

{ Before any file is copied: the prerequisites, so a failure stops setup with its reason. }
function PrepareToInstall(var NeedsRestart: Boolean): String;
var
  LogFile: String;
begin
  Result := '';
#if FileExists(AddBackslash(SourcePath) + VcRedist)
  if not VcRuntimeInstalled then
  begin
    WizardForm.PreparingLabel.Caption := CustomMessage('InstallingVcRedist');
    ExtractTemporaryFile('vc_redist.x64.exe');
    LogFile := ExpandConstant('{%TEMP}\StationCRM-vc_redist.log');
    Result := RunPrerequisite('Microsoft Visual C++ Redistributable',
      ExpandConstant('{tmp}\vc_redist.x64.exe'),
      '/install /quiet /norestart /log "' + LogFile + '"', LogFile, NeedsRestart);
    if Result <> '' then
      exit;
  end;
#endif
  if not OdbcDriverInstalled then
  begin
    WizardForm.PreparingLabel.Caption := CustomMessage('InstallingOdbc');
    ExtractTemporaryFile('msodbcsql.msi');
    LogFile := ExpandConstant('{%TEMP}\StationCRM-msodbcsql.log');
    { IACCEPTMSODBCSQLLICENSE=YES: a silent install must accept the driver's licence. }
    Result := RunPrerequisite(OdbcDriverName, ExpandConstant('{sys}\msiexec.exe'),
      '/i "' + ExpandConstant('{tmp}\msodbcsql.msi') + '" /qn /norestart'
      + ' IACCEPTMSODBCSQLLICENSE=YES /l*v "' + LogFile + '"', LogFile, NeedsRestart);
  end;
end;
