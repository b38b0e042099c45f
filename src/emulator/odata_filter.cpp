// The $filter half of emulator/odata.hpp.
#include <algorithm>
#include <cctype>

#include "emulator/odata.hpp"
#include "emulator/odata_text.hpp"

namespace ccteams::emulator {

using namespace odata_text;  // NOLINT: internal helpers of this component

namespace {

struct Token {
  enum class Kind { word, string, lparen, rparen, comma, end } kind = Kind::end;
  std::string text;
};

// Tokenizer and recursive-descent parser for the $filter subset Entra supports on users.
class FilterParser {
 public:
  FilterParser(std::string_view text, const CollectionSchema& schema)
      : text_(text), schema_(schema) {}

  GraphResult<std::shared_ptr<const FilterNode>> parse() {
    if (auto e = tokenize()) return *e;
    auto node = parse_or();
    if (!node) return node;
    if (peek().kind != Token::Kind::end) return invalid();
    return node;
  }

 private:
  using NodeResult = GraphResult<std::shared_ptr<const FilterNode>>;

  std::optional<GraphError> tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ') {
        ++i;
      } else if (c == '(' || c == ')' || c == ',') {
        tokens_.push_back({c == '(' ? Token::Kind::lparen
                           : c == ')' ? Token::Kind::rparen
                                      : Token::Kind::comma,
                           std::string(1, c)});
        ++i;
      } else if (c == '\'') {
        std::string s;
        ++i;
        for (;;) {
          if (i >= text_.size()) return invalid_error();
          if (text_[i] == '\'') {
            if (i + 1 < text_.size() && text_[i + 1] == '\'') {  // '' escapes a quote
              s.push_back('\'');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          s.push_back(text_[i++]);
        }
        tokens_.push_back({Token::Kind::string, std::move(s)});
      } else {
        std::string w;
        while (i < text_.size() && text_[i] != ' ' && text_[i] != '(' && text_[i] != ')' &&
               text_[i] != ',' && text_[i] != '\'') {
          w.push_back(text_[i++]);
        }
        tokens_.push_back({Token::Kind::word, std::move(w)});
      }
    }
    return std::nullopt;
  }

  const Token& peek() const {
    static const Token kEnd;
    return pos_ < tokens_.size() ? tokens_[pos_] : kEnd;
  }
  Token next() { return pos_ < tokens_.size() ? tokens_[pos_++] : Token{}; }
  bool accept_word(std::string_view w) {
    if (peek().kind == Token::Kind::word && ieq(peek().text, w)) {
      ++pos_;
      return true;
    }
    return false;
  }
  GraphError invalid_error() const {
    return bad_request("Invalid filter clause: syntax error in '" + std::string(text_) + "'.");
  }
  NodeResult invalid() const { return invalid_error(); }

  NodeResult combine(FilterNode::Kind kind, NodeResult (FilterParser::*sub)()) {
    auto left = (this->*sub)();
    if (!left) return left;
    std::shared_ptr<const FilterNode> acc = *left;
    const std::string_view word = kind == FilterNode::Kind::or_ ? "or" : "and";
    while (accept_word(word)) {
      auto right = (this->*sub)();
      if (!right) return right;
      auto n = std::make_shared<FilterNode>();
      n->kind = kind;
      n->children = {acc, *right};
      acc = n;
    }
    return acc;
  }
  NodeResult parse_or() { return combine(FilterNode::Kind::or_, &FilterParser::parse_and); }
  NodeResult parse_and() { return combine(FilterNode::Kind::and_, &FilterParser::parse_unary); }

  NodeResult parse_unary() {
    if (accept_word("not")) {
      auto inner = parse_unary();
      if (!inner) return inner;
      auto n = std::make_shared<FilterNode>();
      n->kind = FilterNode::Kind::not_;
      n->children = {*inner};
      return std::shared_ptr<const FilterNode>(n);
    }
    if (peek().kind == Token::Kind::lparen) {
      next();
      auto inner = parse_or();
      if (!inner) return inner;
      if (next().kind != Token::Kind::rparen) return invalid();
      return inner;
    }
    if (peek().kind != Token::Kind::word) return invalid();
    const Token head = next();
    if (ieq(head.text, "startswith") || ieq(head.text, "endswith")) {
      if (next().kind != Token::Kind::lparen) return invalid();
      auto prop = property(next());
      if (!prop) return prop.error();
      if (next().kind != Token::Kind::comma) return invalid();
      auto lit = literal(next());
      if (!lit || !lit->has_value()) return invalid();
      if (next().kind != Token::Kind::rparen) return invalid();
      auto n = std::make_shared<FilterNode>();
      n->kind = ieq(head.text, "startswith") ? FilterNode::Kind::startswith
                                             : FilterNode::Kind::endswith;
      n->property = *prop;
      n->values = {*lit};
      return std::shared_ptr<const FilterNode>(n);
    }
    auto prop = property(head);
    if (!prop) return prop.error();
    const Token op = next();
    auto n = std::make_shared<FilterNode>();
    n->property = *prop;
    if (op.kind == Token::Kind::word && (ieq(op.text, "eq") || ieq(op.text, "ne"))) {
      n->kind = ieq(op.text, "eq") ? FilterNode::Kind::eq : FilterNode::Kind::ne;
      auto lit = literal(next());
      if (!lit) return invalid();
      n->values = {*lit};
    } else if (op.kind == Token::Kind::word && ieq(op.text, "in")) {
      n->kind = FilterNode::Kind::in;
      if (next().kind != Token::Kind::lparen) return invalid();
      for (;;) {
        auto lit = literal(next());
        if (!lit) return invalid();
        n->values.push_back(*lit);
        const Token sep = next();
        if (sep.kind == Token::Kind::rparen) break;
        if (sep.kind != Token::Kind::comma) return invalid();
      }
    } else {
      return graph_error(400, "Request_UnsupportedQuery",
                         "Unsupported or invalid query filter clause specified for property '" +
                             *prop + "' of resource '" + schema_.type_name + "'.");
    }
    return std::shared_ptr<const FilterNode>(n);
  }

  GraphResult<std::string> property(const Token& t) const {
    if (t.kind != Token::Kind::word) return invalid_error();
    if (auto p = known(schema_.properties, t.text)) return *p;
    return bad_request("Property '" + t.text + "' does not exist as a declared property or " +
                       "extension property.");
  }
  static std::optional<std::optional<std::string>> literal(const Token& t) {
    if (t.kind == Token::Kind::string) return std::optional<std::string>(t.text);
    if (t.kind == Token::Kind::word) {
      if (t.text == "true" || t.text == "false") return std::optional<std::string>(t.text);
      if (t.text == "null") return std::optional<std::string>();
    }
    return std::nullopt;
  }

  std::string_view text_;
  const CollectionSchema& schema_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

GraphResult<std::shared_ptr<const FilterNode>> parse_filter(std::string_view text,
                                                            const CollectionSchema& schema) {
  return FilterParser(text, schema).parse();
}

bool filter_is_advanced(const FilterNode& node) {
  if (node.kind == FilterNode::Kind::ne || node.kind == FilterNode::Kind::not_ ||
      node.kind == FilterNode::Kind::endswith) {
    return true;
  }
  return std::any_of(node.children.begin(), node.children.end(),
                     [](const auto& c) { return filter_is_advanced(*c); });
}

bool filter_matches(const FilterNode& node, const PropertyLookup& lookup) {
  using K = FilterNode::Kind;
  switch (node.kind) {
    case K::and_:
      return filter_matches(*node.children[0], lookup) && filter_matches(*node.children[1], lookup);
    case K::or_:
      return filter_matches(*node.children[0], lookup) || filter_matches(*node.children[1], lookup);
    case K::not_:
      return !filter_matches(*node.children[0], lookup);
    default:
      break;
  }
  auto values = lookup(node.property);
  if (values.empty()) values.emplace_back();  // an empty collection compares like null
  const auto equal = [](const std::optional<std::string>& a, const std::optional<std::string>& b) {
    return a.has_value() == b.has_value() && (!a || ieq(*a, *b));
  };
  const auto any = [&](auto pred) { return std::any_of(values.begin(), values.end(), pred); };
  switch (node.kind) {
    case K::eq:
      return any([&](const auto& v) { return equal(v, node.values[0]); });
    case K::ne:
      return !any([&](const auto& v) { return equal(v, node.values[0]); });
    case K::in:
      return any([&](const auto& v) {
        return std::any_of(node.values.begin(), node.values.end(),
                           [&](const auto& lit) { return equal(v, lit); });
      });
    case K::startswith:
      return any([&](const auto& v) { return v && istarts_with(*v, *node.values[0]); });
    case K::endswith:
      return any([&](const auto& v) {
        return v && v->size() >= node.values[0]->size() &&
               ieq(std::string_view(*v).substr(v->size() - node.values[0]->size()),
                   *node.values[0]);
      });
    default:
      return false;
  }
}

}  // namespace ccteams::emulator
