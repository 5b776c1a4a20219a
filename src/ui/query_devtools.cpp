#include "ui/query_devtools.h"

#include <imgui.h>

#include <string>

namespace imchat::ui {

namespace {

ImVec4 status_colour(const Palette& p, const sdk::QueryState& q) {
  if (q.fetch_status == sdk::FetchStatus::kFetching)
    return ImGui::ColorConvertU32ToFloat4(p.secondary);
  if (q.fetch_status == sdk::FetchStatus::kPaused) return ImGui::ColorConvertU32ToFloat4(p.warning);
  if (q.status == sdk::QueryStatus::kError) return ImGui::ColorConvertU32ToFloat4(p.error);
  if (q.observers == 0) return ImGui::ColorConvertU32ToFloat4(p.text_faint);
  return ImGui::ColorConvertU32ToFloat4(p.success);
}

}  // namespace

void QueryDevtools::draw(sdk::ChatClient& client, int64_t now_ms) {
  const ImGuiIO& io = ImGui::GetIO();
  // ImGui 1.86 indexes keys by the backend's codes; GLFW's letter keys are their ASCII.
  if (io.KeyCtrl && io.KeyShift && ImGui::IsKeyPressed('D', false)) open_ = !open_;
  if (!open_) return;
  const Palette& p = theme_.palette();
  ImGui::SetNextWindowSize(ImVec2(theme_.px(560), theme_.px(360)), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - theme_.px(580), theme_.px(20)),
                          ImGuiCond_FirstUseEver);
  // A floating tool over the app: its own opaque panel, unlike the full-window layout.
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_TitleBg, ImGui::ColorConvertU32ToFloat4(p.sidebar));
  ImGui::PushStyleColor(ImGuiCol_TitleBgActive, ImGui::ColorConvertU32ToFloat4(p.sidebar));
  ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(p.border));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme_.px(12), theme_.px(10)));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, theme_.px(8));
  const bool visible = ImGui::Begin("SDK devtools", &open_, ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(3);
  ImGui::PopStyleColor(4);
  if (!visible) {
    ImGui::End();
    return;
  }
  const sdk::RealtimeStatus& link = client.realtime().status();
  ImGui::Text("socket %s · %d connects · %d failures%s%s", sdk::to_string(link.state),
              link.connects, link.failures, link.last_error.empty() ? "" : " · ",
              link.last_error.c_str());
  ImGui::Text("outbox %zu · user %s", client.sync().outbox().size(),
              client.session().signed_in ? client.session().user.id.c_str() : "(signing in)");
  ImGui::Separator();

  const auto queries = client.cache().queries();
  if (ImGui::BeginTable("queries", 6,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                            ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("status");
    ImGui::TableSetupColumn("fetch");
    ImGui::TableSetupColumn("obs");
    ImGui::TableSetupColumn("age");
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, theme_.px(150));
    ImGui::TableHeadersRow();
    sdk::QueryKey refetch, invalidate_prefix;
    for (const sdk::QueryState* q : queries) {
      ImGui::PushID(q);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(status_colour(p, *q), "%s", sdk::to_string(q->key).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(sdk::to_string(q->status));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(sdk::to_string(q->fetch_status));
      ImGui::TableNextColumn();
      ImGui::Text("%d", q->observers);
      ImGui::TableNextColumn();
      if (q->updated_at_ms >= 0) {
        ImGui::Text("%.0f s", static_cast<double>(now_ms - q->updated_at_ms) / 1000.0);
      } else {
        ImGui::TextUnformatted("-");
      }
      ImGui::TableNextColumn();
      if (ImGui::SmallButton("Refetch")) refetch = q->key;
      ImGui::SameLine();
      if (ImGui::SmallButton("Invalidate")) invalidate_prefix = q->key;
      if (q->error && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", q->error->describe().c_str());
      ImGui::PopID();
    }
    ImGui::EndTable();
    // After the loop: acting changes the list being drawn.
    if (!refetch.empty()) client.cache().invalidate(refetch, true);
    if (!invalidate_prefix.empty()) client.cache().invalidate(invalidate_prefix);
  }
  ImGui::End();
}

}  // namespace imchat::ui
