#include "cli/doctor.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "adapters/crypto/secret_box.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_migrations.hpp"
#include "adapters/pg/pg_store.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_migrations.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "cli/doctor_report.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* kKeyBackupNote =
    "a new key cannot open the secrets stored with the old one: restore the backed-up key, or, "
    "for a new installation only, (umask 077; ccteams secret generate > ";

std::string mode_text(fs::perms p) {
  std::ostringstream s;
  s << std::oct << (static_cast<unsigned>(p) & 0777u);
  return "0" + s.str();
}

// secrets.key, else the variable secrets.key_env, else the file secrets.key_file: the order
// the service reads them in. The file must be the service user's alone (0600 or 0400).
std::optional<SecretBox> check_key(const SecretsConfig& s, DoctorReport& report) {
  const std::string what = "key";
  auto from_text = [&](const std::string& text, const std::string& source,
                       const std::string& fix) -> std::optional<SecretBox> {
    auto box = SecretBox::from_key_text(text);
    if (!box) {
      report.fail(what, source + ": " + box.error().message, fix);
      return std::nullopt;
    }
    report.ok(what + ": " + source + " holds a valid 32-byte key");
    return std::move(*box);
  };
  if (!s.key.empty()) {
    return from_text(s.key, "secrets.key in the configuration",
                     "put the key ccteams secret generate printed there (base64 of 32 bytes); "
                     "better, move it to a file named by secrets.key_file (mode 0600)");
  }
  if (!s.key_env.empty()) {
    if (const char* v = std::getenv(s.key_env.c_str()); v != nullptr && *v != '\0') {
      return from_text(v, "the environment variable " + s.key_env + " (secrets.key_env)",
                       "set it to the key ccteams secret generate printed (base64 of 32 bytes)");
    }
  }
  if (s.key_file.empty()) {
    report.fail(what,
                "no key is configured (secrets.key_file, secrets.key_env and secrets.key "
                "are all empty or unset)",
                "set secrets.key_file to the key file, e.g. /etc/ccteams/secret.key; " +
                    std::string(kKeyBackupNote) + "/etc/ccteams/secret.key)");
    return std::nullopt;
  }
  const std::string file = "secrets.key_file " + s.key_file;
  std::error_code ec;
  const auto st = fs::status(s.key_file, ec);
  if (ec || !fs::exists(st)) {
    report.fail(what, file + " does not exist",
                "check the path; " + std::string(kKeyBackupNote) + s.key_file + ")");
    return std::nullopt;
  }
  const auto loose = fs::perms::group_all | fs::perms::others_all | fs::perms::owner_exec;
  if ((st.permissions() & loose) != fs::perms::none) {
    report.fail(what,
                file + " has mode " + mode_text(st.permissions()) +
                    ": it must be 0600 (or 0400), the service's user's alone",
                "chmod 600 " + s.key_file + " (and chown it to the service's user, ccteams)");
    return std::nullopt;
  }
  std::ifstream in(s.key_file, std::ios::binary);
  if (!in) {
    report.fail(what,
                file + " cannot be read by this user (uid " + std::to_string(::geteuid()) + ")",
                "run the doctor as the service's user: runuser -u ccteams -- ccteams doctor "
                "--config ...");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return from_text(text.str(), file,
                   "the file must hold exactly the line ccteams secret generate printed (base64 "
                   "of 32 bytes); " +
                       std::string(kKeyBackupNote) + s.key_file + ")");
}

// The database the later checks read, opened without migrating it: the store is given the
// migrations up to the version the database is at, so opening applies none (the doctor never
// changes the schema; serve migrates at start).
class DoctorDatabase {
 public:
  DoctorDatabase(std::unique_ptr<SqliteStore> sqlite, std::unique_ptr<PgStore> pg)
      : sqlite_(std::move(sqlite)), pg_(std::move(pg)) {}
  ~DoctorDatabase() {
    if (pg_) pg_->stop();
    if (sqlite_) sqlite_->stop();
  }
  DoctorDatabase(const DoctorDatabase&) = delete;
  DoctorDatabase& operator=(const DoctorDatabase&) = delete;
  Stores& stores() { return pg_ ? static_cast<Stores&>(*pg_) : *sqlite_; }

 private:
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PgStore> pg_;
};

// Compares the database's schema version with this binary's; whether the later checks can read
// it (an older schema is reported but still read; a newer one is not touched).
bool judge_schema(const std::string& where, int version, int known, const std::string& migrate_fix,
                  DoctorReport& report) {
  const std::string what = "database";
  const std::string versions = "schema version " + std::to_string(version) +
                               ", this ccteams expects " + std::to_string(known);
  if (version > known) {
    report.fail(what, where + ": " + versions + ": a newer ccteams wrote it",
                "run the newer ccteams (package version) that wrote it; this older binary would "
                "refuse to start on it, and the database must not be downgraded");
    return false;
  }
  if (version < known) {
    report.fail(what, where + ": " + versions, migrate_fix);
    return true;  // older, but readable: the later checks can still read it
  }
  report.ok(what + ": " + where + " opens; " + versions);
  return true;
}

std::unique_ptr<DoctorDatabase> check_sqlite(const StoreConfig& c, DoctorReport& report) {
  const std::string what = "database";
  std::error_code ec;
  if (!fs::exists(c.path, ec)) {
    report.fail(what, "store.path " + c.path + " does not exist",
                "check store.path; a new installation creates it with ccteams user add --config "
                "... (run as the service's user) or at the first ccteams serve");
    return nullptr;
  }
  const std::string fix_access =
      "run the doctor as the service's user (runuser -u ccteams -- ccteams doctor ...) and "
      "check the file and its folder belong to it";
  int version = 0;
  {
    auto db = store::SqliteDb::open(c.path);
    if (!db) {
      report.fail(what, c.path + " cannot be opened: " + db.error().message, fix_access);
      return nullptr;
    }
    auto read = store::read_schema_version(**db);
    if (!read) {
      report.fail(what, c.path + ": the schema version cannot be read: " + read.error().message,
                  "the file may not be a ccteams database; check store.path");
      return nullptr;
    }
    version = *read;
  }
  const auto known = store::sqlite_migrations();
  if (version == 0) {
    report.fail(what, c.path + " holds no ccteams schema",
                "check store.path names the ccteams database; a new installation creates it "
                "with ccteams user add --config ... or at the first ccteams serve");
    return nullptr;
  }
  if (!judge_schema(c.path, version, store::latest_version(known),
                    "back the database up, then start ccteams serve once: it migrates at start",
                    report)) {
    return nullptr;
  }
  SqliteStoreOptions options;
  options.migrations = known.first(static_cast<std::size_t>(version));
  options.reader = false;
  auto opened = SqliteStore::open(c.path, options);
  if (!opened) {
    report.fail(what, c.path + " cannot be read: " + opened.error().message, fix_access);
    return nullptr;
  }
  return std::make_unique<DoctorDatabase>(std::move(*opened), nullptr);
}

std::unique_ptr<DoctorDatabase> check_postgresql(const StoreConfig& c, DoctorReport& report) {
  const std::string what = "database";
  // store.dsn may carry a password: never printed.
  const std::string where = "PostgreSQL (store.dsn)";
  auto password = read_store_password(c);
  if (!password) {
    report.fail(what, "the PostgreSQL password cannot be read: " + password.error().message,
                "set the variable store.password_env names, or make store.password_file "
                "readable by the service's user, as ccteams serve would need");
    return nullptr;
  }
  int version = 0;
  {
    auto db = store::PgDb::open(c.dsn, *password);
    if (!db) {
      report.fail(what, where + " cannot be reached: " + db.error().message,
                  "check store.dsn (host, port, dbname, user), that PostgreSQL runs and accepts "
                  "this host in pg_hba.conf, and the password (store.password_env or "
                  "password_file); psql with the same settings shows the same error");
      return nullptr;
    }
    auto read = store::read_pg_schema_version(**db);
    if (!read) {
      report.fail(what, where + ": the schema version cannot be read: " + read.error().message,
                  "check that the user in store.dsn may read the database's tables");
      return nullptr;
    }
    version = *read;
  }
  if (version == 0) {
    report.fail(what, where + " holds no ccteams schema",
                "check that store.dsn names the ccteams database; a new installation creates "
                "the schema at the first ccteams serve (or ccteams user add --config ...)");
    return nullptr;
  }
  const auto known = store::pg_migrations();
  if (!judge_schema(where, version, store::latest_version(known),
                    "back the database up (pg_dump), then start one ccteams serve: it migrates "
                    "at start, and the other instances wait for it",
                    report)) {
    return nullptr;
  }
  PgStoreOptions options;
  options.conninfo = c.dsn;
  options.password = std::move(*password);
  options.connections = 1;
  options.migrations = known.first(static_cast<std::size_t>(version));
  auto opened = PgStore::open(options);
  if (!opened) {
    report.fail(what, where + " cannot be read: " + opened.error().message,
                "check store.dsn and the line above");
    return nullptr;
  }
  return std::make_unique<DoctorDatabase>(nullptr, std::move(*opened));
}

// Opens the existing database and compares its schema version with this binary's. Never
// creates the database and never migrates (serve does, at start).
std::unique_ptr<DoctorDatabase> check_database(const StoreConfig& c, DoctorReport& report) {
  if (c.driver == "postgresql") return check_postgresql(c, report);
  return check_sqlite(c, report);
}

std::optional<std::string> read_pem(const std::string& path, const char* key,
                                    DoctorReport& report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    report.fail(key, "cannot read " + path, "check the path and its permissions");
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int run_doctor(const DoctorOptions& options, std::ostream& out) {
  DoctorReport report(out);
  auto config = load_config_file(options.config_path);
  if (!config) {
    report.fail("configuration", config.error().message,
                "correct the named key (docs/ccteams.example.toml shows every key with its "
                "default)");
    for (const char* what : {"key", "database", "public URL", "webhook validation",
                             "Microsoft Entra", "sync accounts", "subscriptions"}) {
      report.skip(what, "the configuration did not load");
    }
    return 1;
  }
  report.ok("configuration: " + options.config_path + " parses and validates");
  auto key = check_key(config->secrets, report);
  auto db = check_database(config->store, report);

  ClientOptions public_options;
  if (!options.public_url_ca_file.empty()) {
    auto pem = read_pem(options.public_url_ca_file, "--ca-file", report);
    if (pem) public_options.extra_ca_pem = std::move(*pem);
  }
  ClientOptions microsoft_options;
  if (!config->microsoft.ca_file.empty()) {
    auto pem = read_pem(config->microsoft.ca_file, "microsoft.ca_file", report);
    if (pem) microsoft_options.extra_ca_pem = std::move(*pem);
  }
  asio::io_context ioc;
  {
    HttpClient public_client(ioc, public_options);
    HttpClient microsoft_client(ioc, microsoft_options);
    MicrosoftCheckInputs in{*config, key ? &*key : nullptr, db ? &db->stores() : nullptr,
                            public_client, microsoft_client};
    asio::co_spawn(ioc, check_microsoft_side(in, report), [&](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        report.fail("doctor", std::string("stopped early: ") + ex.what(),
                    "report this as a bug with the lines above");
      }
    });
    ioc.run();
  }
  return report.failures() == 0 ? 0 : 1;
}

}  // namespace ccteams::cli
