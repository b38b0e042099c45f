#include "core/directory.hpp"

#include <algorithm>
#include <utility>

#include "core/directory_text.hpp"

namespace ccteams {
namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> tokens) {
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

void append(std::vector<std::string>& to, std::vector<std::string>&& from) {
  for (auto& t : from) to.push_back(std::move(t));
}

// Calls f(mark, token) for every token of a Row::tokens string.
template <class F>
void for_each_token(std::string_view tokens, F&& f) {
  std::size_t i = 0;
  while (i < tokens.size()) {
    std::size_t end = i + 1;
    while (end < tokens.size() && static_cast<unsigned char>(tokens[end]) >= 0x20) ++end;
    f(tokens[i], tokens.substr(i + 1, end - i - 1));
    i = end;
  }
}

void insert_sorted(DirectoryPostings& postings, DirectorySlot slot) {
  const auto pos = std::lower_bound(postings.begin(), postings.end(), slot);
  if (pos == postings.end() || *pos != slot) postings.insert(pos, slot);
}

void erase_sorted(DirectoryPostings& postings, DirectorySlot slot) {
  const auto pos = std::lower_bound(postings.begin(), postings.end(), slot);
  if (pos != postings.end() && *pos == slot) postings.erase(pos);
}

}  // namespace

DirectoryUser make_directory_user(TeamsUser user, std::string_view default_country_code) {
  DirectoryUser out;
  bool something_written = false;
  for (const std::string& raw : user.business_phones) {
    E164Check check = check_e164(raw, default_country_code);
    if (check.status == Dialability::dialable) {
      out.dialability = Dialability::dialable;
      out.phone = std::move(check.number);
      break;
    }
    if (check.status == Dialability::not_e164) something_written = true;
  }
  if (out.dialability != Dialability::dialable) {
    out.dialability = something_written ? Dialability::not_e164 : Dialability::missing;
  }
  out.user = std::move(user);
  return out;
}

std::string_view not_dialable_reason(Dialability d) {
  switch (d) {
    case Dialability::dialable:
      return "";
    case Dialability::missing:
      return "This user has no business phone number in the directory.";
    case Dialability::not_e164:
      return "This user's business phone number is not an international (E.164) number such as "
             "+14255550100, so it cannot be dialed.";
  }
  return "";
}

std::string_view directory_match_name(DirectoryMatch m) {
  switch (m) {
    case DirectoryMatch::exact_name:
      return "exact_name";
    case DirectoryMatch::name_prefix:
      return "name_prefix";
    case DirectoryMatch::name_token_prefix:
      return "name_token_prefix";
    case DirectoryMatch::exact_field:
      return "exact_field";
    case DirectoryMatch::other_prefix:
      return "other_prefix";
    case DirectoryMatch::infix:
      return "infix";
    case DirectoryMatch::filter_only:
      return "filter_only";
  }
  return "infix";
}

DirectoryIndex::DirectoryIndex(DirectoryOptions options) : options_(std::move(options)) {
  // One per user: 8 bytes more is 0.8 MB at 100,000 users (issue 18's bytes-per-user figure).
  static_assert(sizeof(void*) != 8 || sizeof(Row) <= 48, "keep Row within 48 bytes");
}

void DirectoryIndex::set_show_user_details(bool on) {
  if (options_.show_user_details == on) return;
  options_.show_user_details = on;
  ++version_;
}

std::size_t DirectoryIndex::distinct_token_count() const {
  return names_.token_count() + mails_.token_count() + details_.token_count();
}

const DirectoryUser* DirectoryIndex::find(std::string_view id) const {
  const auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &users_[it->second];
}

const std::string* DirectoryIndex::add_posting(FieldPostings& map, const std::string& key,
                                               DirectorySlot slot) {
  if (key.empty()) return nullptr;
  auto& [node_key, postings] = *map.try_emplace(key).first;
  insert_sorted(postings, slot);
  return &node_key;  // unordered_map nodes do not move on rehash
}

void DirectoryIndex::remove_posting(FieldPostings& map, const std::string* key,
                                    DirectorySlot slot) {
  if (key == nullptr) return;
  const auto it = map.find(*key);
  if (it == map.end()) return;
  erase_sorted(it->second, slot);
  if (it->second.empty()) map.erase(it);
}

Result<void> DirectoryIndex::upsert(TeamsUser user) {
  if (user.id.empty() || user.id.size() > kDirectoryMaxIdBytes) {
    return make_error(Errc::invalid_input, "A Teams user needs an id of 1 to " +
                                               std::to_string(kDirectoryMaxIdBytes) + " bytes.");
  }
  if (!user.account_enabled) {
    remove(user.id);
    return ok();
  }
  const auto existing = by_id_.find(user.id);
  if (existing != by_id_.end() && users_[existing->second].user == user) {
    return ok();  // delta rounds resend unchanged users; nothing to re-index
  }

  Row row;
  const std::string sort_name = directory_fold(user.display_name);
  const std::string alt_name = directory_fold(user.given_name + ' ' + user.surname);
  row.sort_key = sort_key_of(sort_name);
  std::vector<std::string> names = directory_tokens(user.display_name);
  append(names, directory_tokens(user.given_name));
  append(names, directory_tokens(user.surname));
  // Accounts without a mailbox still have a sign-in name that people recognise.
  std::vector<std::string> mail =
      directory_mail_tokens(user.mail.empty() ? user.user_principal_name : user.mail);
  std::vector<std::string> details = directory_tokens(user.job_title);
  append(details, directory_tokens(user.department));
  names = sorted_unique(std::move(names));
  // A mail token equal to a name token adds nothing: the name match ranks higher anyway.
  std::erase_if(mail, [&](const std::string& t) {
    return std::binary_search(names.begin(), names.end(), t);
  });
  std::string tokens;
  for (const auto& [mark, list] : {std::pair{kNameMark, std::move(names)},
                                   std::pair{kMailMark, sorted_unique(std::move(mail))},
                                   std::pair{kDetailMark, sorted_unique(std::move(details))}}) {
    for (const std::string& t : list) {
      tokens += mark;
      tokens += t;
    }
  }
  row.sort_size = static_cast<std::uint32_t>(sort_name.size());
  row.alt_size = static_cast<std::uint32_t>(alt_name.size());
  row.tokens_size = static_cast<std::uint32_t>(tokens.size());
  row.live = true;
  const std::string department_key = directory_fold(user.department);
  const std::string title_key = directory_fold(user.job_title);

  DirectorySlot slot = 0;
  // A changed user keeps the tokens, department and title it still has: a delta round mostly
  // changes one field, and each posting moved in a large list is a memmove.
  std::string previous_tokens;
  const std::string* previous_department = nullptr;
  const std::string* previous_title = nullptr;
  if (existing != by_id_.end()) {
    slot = existing->second;
    Row& old = rows_[slot];
    previous_tokens = this->tokens(old);
    previous_department = old.department;
    previous_title = old.title;
    index_first_tokens(old, slot, false);
    release_text(old);
  } else if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    by_id_.emplace(user.id, slot);
  } else {
    slot = static_cast<DirectorySlot>(rows_.size());
    rows_.emplace_back();
    users_.emplace_back();
    by_id_.emplace(user.id, slot);
  }
  users_[slot] = make_directory_user(std::move(user), options_.default_country_code);
  Row& r = rows_[slot];
  r = row;
  r.offset = text_.size();
  text_ += sort_name;
  text_ += alt_name;
  text_ += tokens;
  update_tokens(previous_tokens, tokens, slot);
  index_first_tokens(r, slot, true);
  r.department = replace_posting(departments_, previous_department, department_key, slot);
  r.title = replace_posting(titles_, previous_title, title_key, slot);
  ++version_;
  return ok();
}

void DirectoryIndex::update_tokens(std::string_view old_tokens, std::string_view new_tokens,
                                   DirectorySlot slot) {
  using Token = std::pair<char, std::string_view>;
  std::vector<Token> old_list;
  std::vector<Token> new_list;
  for_each_token(old_tokens,
                 [&](char mark, std::string_view t) { old_list.emplace_back(mark, t); });
  for_each_token(new_tokens,
                 [&](char mark, std::string_view t) { new_list.emplace_back(mark, t); });
  // Both lists are sorted by (field marker, token), as upsert writes them: one merge pass.
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < old_list.size() || j < new_list.size()) {
    if (j == new_list.size() || (i < old_list.size() && old_list[i] < new_list[j])) {
      dictionary(old_list[i].first).remove(old_list[i].second, slot);
      ++i;
    } else if (i == old_list.size() || new_list[j] < old_list[i]) {
      dictionary(new_list[j].first).add(new_list[j].second, slot);
      ++j;
    } else {
      ++i;
      ++j;
    }
  }
}

const std::string* DirectoryIndex::replace_posting(FieldPostings& map, const std::string* previous,
                                                   const std::string& key, DirectorySlot slot) {
  if (previous != nullptr && *previous == key) return previous;
  remove_posting(map, previous, slot);
  return add_posting(map, key, slot);
}

void DirectoryIndex::unindex(DirectorySlot slot) {
  Row& r = rows_[slot];
  for_each_token(tokens(r),
                 [&](char mark, std::string_view token) { dictionary(mark).remove(token, slot); });
  index_first_tokens(r, slot, false);
  remove_posting(departments_, r.department, slot);
  remove_posting(titles_, r.title, slot);
  release_text(r);
}

std::uint64_t DirectoryIndex::sort_key_of(std::string_view sort_name) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    key = key << 8 | (i < sort_name.size() ? static_cast<unsigned char>(sort_name[i]) : 0U);
  }
  return key;
}

void DirectoryIndex::index_first_tokens(const Row& r, DirectorySlot slot, bool add) {
  const std::string_view sort = sort_name(r);
  const std::string_view alt = alt_name(r);
  const std::string_view first = sort.substr(0, sort.find(' '));
  const std::string_view alt_first = alt.substr(0, alt.find(' '));
  for (const std::string_view token : {first, alt_first}) {
    if (token.empty()) continue;
    if (add) {
      const auto it = firsts_.try_emplace(std::string(token)).first;
      insert_sorted(it->second, slot);
    } else if (const auto it = firsts_.find(token); it != firsts_.end()) {
      erase_sorted(it->second, slot);
      if (it->second.empty()) firsts_.erase(it);
    }
    if (alt_first == first) break;  // one entry serves both names
  }
}

void DirectoryIndex::release_text(Row& r) {
  text_garbage_ += r.sort_size + r.alt_size + r.tokens_size;
  r = Row{};
  if (text_garbage_ > 4096 && text_garbage_ > text_.size() / 2) compact_text();
}

void DirectoryIndex::compact_text() {
  std::string packed;
  packed.reserve(text_.size() - text_garbage_);
  for (Row& r : rows_) {
    if (!r.live) continue;
    const std::size_t size = r.sort_size + r.alt_size + r.tokens_size;
    const std::size_t offset = packed.size();
    packed.append(text_, r.offset, size);
    r.offset = offset;
  }
  text_ = std::move(packed);
  text_garbage_ = 0;
}

bool DirectoryIndex::remove(std::string_view id) {
  const auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return false;
  const DirectorySlot slot = it->second;
  unindex(slot);
  users_[slot] = DirectoryUser{};  // release the strings now, not when the slot is reused
  free_slots_.push_back(slot);
  by_id_.erase(it);
  ++version_;
  return true;
}

void DirectoryIndex::clear() {
  rows_.clear();
  users_.clear();
  text_.clear();
  text_garbage_ = 0;
  free_slots_.clear();
  by_id_.clear();
  names_.clear();
  mails_.clear();
  firsts_.clear();
  details_.clear();
  departments_.clear();
  titles_.clear();
  ++version_;
}

}  // namespace ccteams
