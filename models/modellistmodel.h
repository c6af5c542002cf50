// ModelListModel: the models a node serves (GET /v1/models through CompletionClient) as a list,
// for the Playground's model picker and anything else that lets the user choose a model.
//
// Contract: GUI-thread only; fed values through setModels(). Rows are updated in place, not
// reset: a model that stays keeps its row (so a view's selection survives a refresh), a model
// that went away is removed, a new one is appended, and a changed one emits dataChanged for its
// row only. DisplayRole is the model id; the other roles give each field raw; ToolTipRole is a
// translated summary (call retranslate() when the language changes).
#pragma once

#include "client/openaitypes.h"

#include <QAbstractListModel>

namespace lmfront::models {

class ModelListModel : public QAbstractListModel {
  Q_OBJECT
public:
  enum Role {
    IdRole = Qt::UserRole + 1,
    DescriptionRole,
    VersionRole,
    BackendsRole,
  };

  explicit ModelListModel(QObject *parent = nullptr);

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Row of the model with this id, -1 when absent.
  int rowOf(const QString &id) const;
  const QList<client::ApiModel> &models() const { return m_models; }

public Q_SLOTS:
  void setModels(const QList<lmfront::client::ApiModel> &models);
  void retranslate();

private:
  QString toolTip(const client::ApiModel &model) const;

  QList<client::ApiModel> m_models;
};

}  // namespace lmfront::models
