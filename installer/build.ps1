# Build the Windows station bundle and installer (the Windows twin of installer/build.sh).
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#
# Makes a clean build venv (build\bundle-venv) from installer\requirements-lock.txt with
# Python 3.12 (the py launcher, or $env:STATIONCRM_BUILD_PYTHON), runs PyInstaller on
# installer\stationcrm.spec into dist\StationCRM\ (StationCRM.exe windowed, stationcrm.com
# console), checks `stationcrm.com --version`, then compiles installer\stationcrm.iss with
# Inno Setup 6 when it is installed: dist\StationCRM-<version>-setup.exe.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$started = Get-Date

function Invoke-Checked([string] $program, [string[]] $arguments) {
    & $program @arguments
    if ($LASTEXITCODE -ne 0) { throw "$program $($arguments -join ' ') failed ($LASTEXITCODE)" }
}

$python = $env:STATIONCRM_BUILD_PYTHON
if (-not $python) { $python = "py"; $pythonArgs = @("-3.12") } else { $pythonArgs = @() }
$venv = "build\bundle-venv"
foreach ($old in @($venv, "build\pyinstaller", "dist\StationCRM")) {
    if (Test-Path $old) { Remove-Item -Recurse -Force $old }
}
Invoke-Checked $python ($pythonArgs + @("-m", "venv", $venv))
$venvPython = Join-Path $venv "Scripts\python.exe"
Invoke-Checked $venvPython @("-m", "pip", "install", "-q", "--upgrade", "pip")
Invoke-Checked $venvPython @("-m", "pip", "install", "-q", "--require-hashes", "--only-binary",
                             ":all:", "--no-deps", "-r", "installer\requirements-lock.txt")
Invoke-Checked $venvPython @("-m", "pip", "check")
Invoke-Checked $venvPython @("-m", "PyInstaller", "installer\stationcrm.spec", "--noconfirm",
                             "--clean", "--log-level", "WARN", "--distpath", "dist",
                             "--workpath", "build\pyinstaller")
Invoke-Checked "dist\StationCRM\stationcrm.com" @("--version")

$version = (& $venvPython -c "import app; print(app.__version__)").Trim()
$iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
if (Test-Path $iscc) {
    Invoke-Checked $iscc @("/Qp", "/DAppVersion=$version", "installer\stationcrm.iss")
    Write-Host "build: dist\StationCRM-$version-setup.exe"
} else {
    Write-Host "build: Inno Setup 6 is not installed; dist\StationCRM\ only (no setup.exe)"
}
Write-Host ("build: done in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
